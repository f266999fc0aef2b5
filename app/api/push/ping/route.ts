import { enforce } from "@/lib/auth/limits";
import { requireDevice } from "@/lib/auth/session";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";
import { pingOtherDevices } from "@/lib/push/ping";
import { pingRequestSchema } from "@/lib/push/schemas";

export const dynamic = "force-dynamic";

/**
 * The home relay's "N new messages" to the account's other devices. Who is
 * pinged comes from the session alone: the body holds only the count.
 */
export const POST = route(async (req) => {
  const device = await requireDevice(req);
  const { count } = await parseJsonBody(req, pingRequestSchema);
  // After validation, so a malformed request does not use up the 30 s.
  await enforce(["pushPingPerUser", device.userId]);
  return json(await pingOtherDevices(device, count));
});
