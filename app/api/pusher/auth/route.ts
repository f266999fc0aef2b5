import { z } from "zod";
import { requireDevice } from "@/lib/auth/session";
import { forbidden } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { parseFormBody } from "@/lib/http/json-body";
import { authorizePresence } from "@/lib/signaling/rest";
import { userChannel } from "@/lib/signaling/schemas";

export const dynamic = "force-dynamic";

const authRequest = z
  .object({
    socket_id: z.string().regex(/^\d{1,20}\.\d{1,20}$/, "is not a socket id"),
    channel_name: z.string().min(1).max(200),
  })
  .strict();

/**
 * Signs exactly one channel: the caller's own presence-user-<nickname>, with
 * the caller's device as the member. Anything else is 403, so nobody can
 * listen to another user's signals.
 */
export const POST = route(async (req) => {
  const device = await requireDevice(req);
  const { socket_id, channel_name } = await parseFormBody(req, authRequest, 2048);
  if (channel_name !== userChannel(device.nickname)) throw forbidden("You can only subscribe to your own channel.");
  return json(authorizePresence(socket_id, channel_name, device.deviceId, { deviceName: device.deviceName, home: device.home }));
});
