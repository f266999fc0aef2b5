import { enforce } from "@/lib/auth/limits";
import { nicknameSchema } from "@/lib/auth/nickname";
import { requireUser } from "@/lib/auth/session";
import { publicDevicesOf } from "@/lib/account-devices/devices";
import { notFound } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";
import { pathParam } from "@/lib/http/path-param";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nickname: string }> };

// Public keys only: peers need them to check the handshake signature. Asking
// needs a signed-in user and is rate-limited, so the route cannot be used to
// list who has an account.
export const GET = route<Context>(async (req, context) => {
  const session = await requireUser(req);
  const nickname = await pathParam(context.params, "nickname", nicknameSchema);
  await enforce(["lookupPerUser", session.userId]);
  const user = await publicDevicesOf(nickname);
  if (!user) throw notFound(`The nickname "${nickname}"`);
  return json(user);
});
