import fc from "fast-check";
import { NextRequest } from "next/server";
import { CLIENT_IP_HEADER } from "@/lib/http/headers";

// Generated HTTP requests for the route fuzzer: bodies (JSON near the valid
// shape, any JSON, text, raw bytes that are not UTF-8, oversized), content
// types, query strings, headers and path parameters. Kept to what a client
// can really send: header values are visible ASCII, since fetch and Node
// refuse anything else before a request exists.

export interface GeneratedRequest {
  method: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: { text: string } | { bytes: Uint8Array } | null;
  headers: Record<string, string>;
  cookie: string | undefined;
}

/** The address server.ts would stamp: fixed, as clients cannot choose it. */
export const FUZZ_CLIENT_IP = "192.0.2.250";

const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/);
/** Headers that frame the HTTP message itself: Node's parser owns them, no handler ever sees a client's own. */
const FRAMING = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "host", "expect", "te", "trailer"]);
const tokenLike = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((name) => !FRAMING.has(name));

export const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  fc.constantFrom("application/json; charset=utf-8", "APPLICATION/JSON", "application/jsonp", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"),
  fc.constant(undefined),
  headerValue,
);

/** A JSON body: mostly near `valid`, sometimes any JSON value at all. */
export function jsonBodies(valid: fc.Arbitrary<unknown>): fc.Arbitrary<GeneratedRequest["body"]> {
  const any = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.object({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }));
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((v) => ({ text: JSON.stringify(v) ?? "" })) },
    { weight: 3, arbitrary: any.map((v) => ({ text: JSON.stringify(v) ?? "" })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ bytes })) },
    { weight: 1, arbitrary: fc.constantFrom(null, { text: `{"pad":"${"x".repeat(17 * 1024)}"}` }, { text: "" }, { text: '{"a":' }) },
  );
}

/** A form body: mostly near `valid` (repeated fields included), sometimes anything. */
export function formBodies(valid: fc.Arbitrary<[string, string][]>): fc.Arbitrary<GeneratedRequest["body"]> {
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((pairs) => ({ text: new URLSearchParams(pairs).toString() })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })), { maxLength: 6 }).map((pairs) => ({ text: new URLSearchParams(pairs).toString() })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ bytes })) },
    { weight: 1, arbitrary: fc.constantFrom(null, { text: "x=".repeat(9 * 1024) }) },
  );
}

export function requests(opts: { method: string; body: fc.Arbitrary<GeneratedRequest["body"]>; contentType?: fc.Arbitrary<string | undefined>; cookies: fc.Arbitrary<string | undefined> }): fc.Arbitrary<GeneratedRequest> {
  return fc.record({
    method: fc.constant(opts.method),
    query: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
    contentType: opts.contentType ?? contentTypes,
    body: opts.body,
    headers: fc.dictionary(tokenLike, headerValue, { maxKeys: 3 }).chain((extra) =>
      fc.record({ forwarded: fc.option(headerValue, { nil: undefined }), origin: fc.option(headerValue, { nil: undefined }) }).map(({ forwarded, origin }) => ({
        ...extra,
        ...(forwarded ? { "x-forwarded-for": forwarded } : {}),
        ...(origin ? { origin } : {}),
      })),
    ),
    cookie: opts.cookies,
  });
}

export function toNextRequest(path: string, generated: GeneratedRequest): NextRequest {
  const url = new URL(path, "http://127.0.0.1:3999");
  for (const [key, value] of Object.entries(generated.query)) url.searchParams.append(key, value);
  const headers = new Headers();
  for (const [key, value] of Object.entries(generated.headers)) {
    // A generated name can collide with a header the app reads; let the generated value stand, as a client's would.
    headers.set(key, value);
  }
  headers.set(CLIENT_IP_HEADER, FUZZ_CLIENT_IP);
  if (generated.contentType !== undefined) headers.set("content-type", generated.contentType);
  if (generated.cookie !== undefined) headers.set("cookie", generated.cookie);
  const hasBody = generated.body !== null && generated.method !== "GET";
  const body = !hasBody ? undefined : "text" in generated.body! ? generated.body.text : Buffer.from(generated.body!.bytes);
  return new NextRequest(url, { method: generated.method, headers, body });
}

/** A path parameter: valid-looking ids or nicknames, and anything a URL segment can carry. */
export function pathParams(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom("%E0", "%25E0", "..", "../../etc/passwd", "%00", "a".repeat(300), "", "ALICE", " alice ", "alice/x") },
  );
}
