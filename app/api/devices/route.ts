import { requireUser } from "@/lib/auth/session";
import { announceDevice } from "@/lib/account-devices/announce";
import { listOwnDevices, registerDevice } from "@/lib/account-devices/devices";
import { registerDeviceSchema } from "@/lib/account-devices/schemas";
import { ApiError } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

/**
 * Registers this browser's device keys and binds the session to the new
 * device. A session already bound to a device cannot add another: one session,
 * one browser, one device. The account's other open pages are told.
 */
export const POST = route(async (req) => {
  const session = await requireUser(req);
  const body = await parseJsonBody(req, registerDeviceSchema);
  if (session.deviceId !== null) throw new ApiError(409, "already_bound", "This browser's session already belongs to a device. Log out and in again to register new keys.");
  const device = await registerDevice(session.userId, session.idHash, body);
  await announceDevice(session.nickname, { type: "device_added", deviceId: device.id, name: device.name, createdAt: device.createdAt });
  return json({ deviceId: device.id }, 201);
});

export const GET = route(async (req) => {
  const session = await requireUser(req);
  return json({ devices: await listOwnDevices(session.userId) });
});
