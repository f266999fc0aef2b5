// HTTP plumbing of the recording proxy: which headers cross it, how heads
// are written down for the record, and how compressed bodies are made
// readable for it.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/** Headers that describe one connection, not the message; the proxy's own connections set their own. */
const REQUEST_HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "expect"]);
const RESPONSE_HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

/**
 * The browser's headers as the app should see them. Host stays the proxy's
 * (the browser's view), so redirects, origin checks and cookies all agree
 * with the address the browser really talks to. Transfer-Encoding stays:
 * Node's client re-frames a chunked body only when told it is chunked.
 */
export function forwardedRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !REQUEST_HOP_BY_HOP.has(name)) out[name] = value;
  }
  // Uncompressed bodies are directly searchable; decodeContent() covers servers that compress anyway.
  out["accept-encoding"] = "identity";
  return out;
}

/** The app's response headers minus connection framing (Set-Cookie passes unchanged, duplicates kept). */
export function forwardedResponseHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    if (!RESPONSE_HOP_BY_HOP.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1] ?? "");
  }
  return out;
}

function headerLines(pairs: [string, string][]): string {
  return pairs.map(([name, value]) => `${name}: ${value}\r\n`).join("");
}

/** Pairs of a header object, one per value (Set-Cookie arrays stay separate lines). */
export function headerPairs(headers: OutgoingHttpHeaders): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]): [string, string][] =>
    value === undefined ? [] : Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, String(value)]],
  );
}

/** Pairs of Node's flat rawHeaders list. */
export function rawHeaderPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] ?? "", rawHeaders[i + 1] ?? ""]);
  return pairs;
}

export function formatRequestHead(method: string, target: string, headers: [string, string][]): Buffer {
  return Buffer.from(`${method} ${target} HTTP/1.1\r\n${headerLines(headers)}\r\n`, "utf8");
}

export function formatResponseHead(status: number, statusMessage: string, headers: [string, string][]): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${statusMessage}\r\n${headerLines(headers)}\r\n`, "utf8");
}

// SYNC_FLUSH makes zlib return what it decoded so far instead of failing on
// a body cut short (an aborted response still passed through the server).
const ZLIB_PARTIAL = { finishFlush: constants.Z_SYNC_FLUSH };

function inflateEither(body: Buffer): Buffer {
  try {
    return inflateSync(body, ZLIB_PARTIAL);
  } catch {
    // Some servers send "deflate" as raw DEFLATE without the zlib wrapper.
    return inflateRawSync(body, ZLIB_PARTIAL);
  }
}

const DECODERS: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => gunzipSync(body, ZLIB_PARTIAL),
  "x-gzip": (body) => gunzipSync(body, ZLIB_PARTIAL),
  deflate: inflateEither,
  br: (body) => brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * Undoes Content-Encoding (codings apply in order, so undo them in reverse).
 * An unknown coding or a corrupt body is recorded as received: searching
 * the raw bytes is the best that is left.
 */
export function decodeContent(body: Buffer, contentEncoding: string | string[] | undefined): Buffer {
  const codings = [contentEncoding ?? ""]
    .flat()
    .join(",")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  let decoded = body;
  try {
    for (const coding of codings.reverse()) {
      const decoder = DECODERS[coding];
      if (!decoder) return body;
      decoded = decoder(decoded);
    }
  } catch {
    return body;
  }
  return decoded;
}
