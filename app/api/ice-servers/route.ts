import { enforce } from "@/lib/auth/limits";
import { requireDevice } from "@/lib/auth/session";
import { json, route } from "@/lib/http/handler";
import { iceConfigFor } from "@/lib/ice/ice-servers";

export const dynamic = "force-dynamic";

/**
 * The STUN/TURN servers for this device, with TURN credentials minted for it
 * (docs/nat.md); no input but the session. The browser checks the answer
 * against iceConfigSchema and asks again before the credentials expire.
 */
export const GET = route(async (req) => {
  const device = await requireDevice(req);
  await enforce(["iceServersPerDevice", device.deviceId]);
  return json(iceConfigFor(device.deviceId));
});
