import { enforce } from "@/lib/auth/limits";
import { requireDevice } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { ApiError, notFound } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";
import { presentDeviceIds, triggerEvent } from "@/lib/signaling/rest";
import { SIGNAL_EVENT, signalRequestSchema, userChannel, type SignalEvent } from "@/lib/signaling/schemas";

export const dynamic = "force-dynamic";

/**
 * Relays one SDP/ICE signal to a nickname's presence channel. The sender is
 * whatever the session says, never what the body says.
 */
export const POST = route(async (req) => {
  const sender = await requireDevice(req);
  const body = await parseJsonBody(req, signalRequestSchema);
  await enforce(["signalPerDevice", sender.deviceId]);

  const recipient = await db().user.findUnique({ where: { nickname: body.to }, select: { id: true } });
  if (!recipient) throw notFound(`The nickname "${body.to}"`);
  const channel = userChannel(body.to);
  const online = await presentDeviceIds(channel);
  const reachable = body.toDevice ? online.includes(body.toDevice) : online.length > 0;
  if (!reachable) {
    throw new ApiError(409, "not_online", body.toDevice ? "That device is not online." : `None of ${body.to}'s devices is online.`);
  }
  const event: SignalEvent = { from: { nickname: sender.nickname, deviceId: sender.deviceId }, type: body.type, data: body.data, ...(body.toDevice ? { toDevice: body.toDevice } : {}) };
  await triggerEvent(channel, SIGNAL_EVENT, event);
  return json({ delivered: true }, 202);
});
