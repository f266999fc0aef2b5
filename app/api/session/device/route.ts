import { requireUser } from "@/lib/auth/session";
import { bindRequestSchema } from "@/lib/account-devices/binding";
import { bindSessionToDevice } from "@/lib/account-devices/session-binding";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

/** Binds this session to an existing device of the account, on proof that the browser holds its key. */
export const POST = route(async (req) => {
  const session = await requireUser(req);
  const request = await parseJsonBody(req, bindRequestSchema);
  await bindSessionToDevice(session, request);
  return json({ deviceId: request.deviceId });
});
