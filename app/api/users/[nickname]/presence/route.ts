import { enforce } from "@/lib/auth/limits";
import { nicknameSchema } from "@/lib/auth/nickname";
import { requireUser } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { pathParam } from "@/lib/http/path-param";
import { presentDeviceIds } from "@/lib/signaling/rest";
import { userChannel, type Presence } from "@/lib/signaling/schemas";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nickname: string }> };

/** Which of a nickname's devices are online, read through the signaling HTTP API. */
export const GET = route<Context>(async (req, context) => {
  const session = await requireUser(req);
  const nickname = await pathParam(context.params, "nickname", nicknameSchema);
  await enforce(["presencePerUser", session.userId]);
  const user = await db().user.findUnique({
    where: { nickname },
    select: { devices: { where: { revokedAt: null }, select: { id: true, home: true } } },
  });
  if (!user) throw notFound(`The nickname "${nickname}"`);
  const live = new Map(user.devices.map((d) => [d.id, d.home]));
  const present = await presentDeviceIds(userChannel(nickname));
  // Only devices the database still vouches for: a revoked device's lingering socket does not count.
  const body: Presence = { online: present.filter((id) => live.has(id)).map((deviceId) => ({ deviceId, home: live.get(deviceId) ?? false })) };
  return json(body);
});
