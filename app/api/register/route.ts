import { registerAccount } from "@/lib/accounts/accounts";
import { enforce } from "@/lib/auth/limits";
import { credentialsSchema } from "@/lib/auth/nickname";
import { clientIp } from "@/lib/http/client-ip";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const { nickname, password } = await parseJsonBody(req, credentialsSchema);
  await enforce(["registerPerIp", clientIp(req)], ["registerPerNickname", nickname]);
  const account = await registerAccount(nickname, password);
  return json({ nickname: account.nickname }, 201);
});
