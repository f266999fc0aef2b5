// HMAC-SHA256 signatures of the Pusher protocol: channel authorization
// (`key:hex(hmac(secret, socket_id:channel[:channel_data]))`) and HTTP API
// request signing. Every comparison is constant-time so the response time
// leaks nothing about how much of a forged signature was right.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export function hmacSha256Hex(secret: string, data: string): string {
  return createHmac("sha256", secret).update(data, "utf8").digest("hex");
}

export function md5Hex(body: Buffer): string {
  return createHash("md5").update(body).digest("hex");
}

/** Constant-time equality of two strings; unequal lengths are simply unequal. */
export function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  if (a.length !== b.length) {
    // Still spend a comparison so a length mismatch is not faster to detect.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The string a channel authorization signs. */
export function channelAuthString(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

/**
 * Checks a subscription's `auth` field (`key:signature`). The key must be this
 * app's: a signature made with another app's secret is not ours to accept.
 */
export function verifyChannelAuth(
  app: { key: string; secret: string },
  socketId: string,
  channel: string,
  auth: unknown,
  channelData?: string,
): boolean {
  if (typeof auth !== "string") return false;
  const colon = auth.indexOf(":");
  if (colon <= 0) return false;
  const key = auth.slice(0, colon);
  const signature = auth.slice(colon + 1);
  const expected = hmacSha256Hex(app.secret, channelAuthString(socketId, channel, channelData));
  // Evaluate both so neither short-circuits into a timing difference.
  const keyOk = safeEqual(app.key, key);
  const signatureOk = safeEqual(expected, signature);
  return keyOk && signatureOk;
}

/**
 * The string an HTTP API request signs: method, path, and every query
 * parameter but auth_signature, keys lower-cased and sorted, values as sent
 * (not URL-escaped), joined with `&`.
 */
export function restStringToSign(method: string, path: string, params: ReadonlyArray<readonly [string, string]>): string {
  const query = [...params]
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  return `${method.toUpperCase()}\n${path}\n${query}`;
}
