import { requireUser } from "@/lib/auth/session";
import { announceDevice, disconnectDevices } from "@/lib/account-devices/announce";
import { revokeDevice, updateDevice } from "@/lib/account-devices/devices";
import { deviceIdSchema, updateDeviceSchema } from "@/lib/account-devices/schemas";
import { notFound } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

async function deviceIdFrom(context: Context): Promise<string> {
  const parsed = deviceIdSchema.safeParse((await context.params).id);
  if (!parsed.success) throw notFound("That device");
  return parsed.data;
}

export const PATCH = route<Context>(async (req, context) => {
  const session = await requireUser(req);
  const deviceId = await deviceIdFrom(context);
  const change = await parseJsonBody(req, updateDeviceSchema);
  return json({ device: await updateDevice(session.userId, deviceId, change) });
});

/** Revokes the device: its sessions end, its sockets close, the account's open pages are told. */
export const DELETE = route<Context>(async (req, context) => {
  const session = await requireUser(req);
  const deviceId = await deviceIdFrom(context);
  await revokeDevice(session.userId, deviceId);
  await disconnectDevices([deviceId]);
  await announceDevice(session.nickname, { type: "device_revoked", deviceId });
  return new Response(null, { status: 204 });
});
