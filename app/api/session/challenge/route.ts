import { requireUser } from "@/lib/auth/session";
import type { BindChallenge } from "@/lib/account-devices/binding";
import { issueBindChallenge } from "@/lib/account-devices/session-binding";
import { json, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/** A one-time challenge this session's browser signs with its device key (lib/account-devices/binding.ts). */
export const POST = route(async (req) => {
  const session = await requireUser(req);
  const body: BindChallenge = { challenge: await issueBindChallenge(session.idHash) };
  return json(body);
});
