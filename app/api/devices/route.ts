import { requireUser } from "@/lib/auth/session";
import { listOwnDevices, registerDevice } from "@/lib/devices/devices";
import { registerDeviceSchema } from "@/lib/devices/schemas";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const user = await requireUser(req);
  const body = await parseJsonBody(req, registerDeviceSchema);
  const deviceId = await registerDevice(user.userId, body);
  return json({ deviceId }, 201);
});

export const GET = route(async (req) => {
  const user = await requireUser(req);
  return json({ devices: await listOwnDevices(user.userId) });
});
