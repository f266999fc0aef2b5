import { nicknameSchema } from "@/lib/auth/nickname";
import { publicDevicesOf } from "@/lib/devices/devices";
import { notFound } from "@/lib/http/api-error";
import { json, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nickname: string }> };

// Public keys only: peers need them to check the handshake signature, and
// anyone may know them.
export const GET = route<Context>(async (_req, context) => {
  const nickname = nicknameSchema.safeParse(decodeURIComponent((await context.params).nickname));
  if (!nickname.success) throw notFound("That nickname");
  const user = await publicDevicesOf(nickname.data);
  if (!user) throw notFound(`The nickname "${nickname.data}"`);
  return json(user);
});
