import { requireUser } from "@/lib/auth/session";
import type { BindChallenge } from "@/lib/devices/binding";
import { issueBindChallenge } from "@/lib/devices/session-binding";
import { json, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/** A one-time challenge this session's browser signs with its device key (lib/devices/binding.ts). */
export const POST = route(async (req) => {
  const session = await requireUser(req);
  const body: BindChallenge = { challenge: await issueBindChallenge(session.idHash) };
  return json(body);
});
