import "server-only";
import { NextRequest } from "next/server";
import { ApiError, notFound } from "@/lib/http/api-error";
import { MAX_BODY_BYTES, readCapped } from "@/lib/http/json-body";

// What reaches next-auth, in the one form the app's own pages send. Anything
// else is refused before next-auth sees it: another action, a JSON body,
// repeated fields (`nickname=decoy&nickname=victim`: next-auth would check the
// last one), unknown fields, or a query string on a POST. next-auth picks the
// action from the decoded path segments, and so does this check, so no
// spelling of the path (`credential%73`) reaches another code path.

type Action = "csrf" | "session" | "providers" | "signin" | "signout" | "error" | "callback";

const GET_ACTIONS: ReadonlySet<string> = new Set<Action>(["csrf", "session", "providers", "signin", "signout", "error"]);

/** Fields each POST may carry; every one at most once. */
const POST_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  "callback/credentials": { required: ["nickname", "password", "csrfToken"], optional: ["callbackUrl", "json"] },
  signout: { required: ["csrfToken"], optional: ["callbackUrl", "json"] },
};

const noSuchEndpoint = () => notFound("That sign-in endpoint");
const invalid = (message: string) => new ApiError(400, "invalid_input", message);

/** Refuses GETs of anything but next-auth's read-only endpoints (a GET credentials callback would be a 500 inside next-auth). */
export function checkAuthGet(segments: string[] | undefined): void {
  if (!segments || segments.length !== 1 || !GET_ACTIONS.has(segments[0]!)) throw noSuchEndpoint();
}

/**
 * Checks a POST and returns a copy to hand to next-auth (this one's body has
 * been read), with the body exactly as checked.
 */
export async function canonicalAuthPost(req: NextRequest, segments: string[] | undefined): Promise<NextRequest> {
  const fields = POST_FIELDS[(segments ?? []).join("/")];
  if (!fields) throw noSuchEndpoint();
  if ([...req.nextUrl.searchParams.keys()].length > 0) throw invalid("Send the sign-in fields in the body, not in the URL.");
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers.get("content-type") ?? "")) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as a form (Content-Type: application/x-www-form-urlencoded).");
  }
  const text = await readCapped(req, MAX_BODY_BYTES);
  const seen = new Set<string>();
  for (const key of new URLSearchParams(text).keys()) {
    if (seen.has(key)) throw invalid(`${key.slice(0, 40)}: must be sent once`);
    if (!fields.required.includes(key) && !fields.optional.includes(key)) throw invalid(`body: unknown field "${key.slice(0, 40)}"`);
    seen.add(key);
  }
  const missing = fields.required.find((key) => !seen.has(key));
  if (missing) throw invalid(`${missing}: is required`);
  return new NextRequest(req.url, { method: "POST", headers: req.headers, body: text });
}
