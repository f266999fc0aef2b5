import "server-only";
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

// OWASP's "device cookies" (Slow Down Online Guessing Attacks with Device
// Cookies): a browser that has logged in to an account gets a signed cookie
// naming that account. Login attempts that carry a valid one are limited per
// cookie instead of per nickname, so an attacker who exhausts the nickname's
// budget with wrong guesses does not lock its owner out of the browsers they
// already use. The cookie proves nothing else and opens nothing: the password
// is still checked.

export const DEVICE_COOKIE_MAX_AGE_SEC = 365 * 24 * 60 * 60;
const PATH = "/api/auth/callback";

export interface DeviceCookie {
  name: string;
  value: string;
}

/** One cookie per account, so a browser shared by two people vouches for both. */
export function deviceCookieName(nickname: string, secure: boolean): string {
  return `${secure ? "__Secure-" : ""}communisp-device-${nickname}`;
}

function macKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "", "communisp device cookie v1", 32));
}

const mac = (secret: string, nickname: string, nonce: string, issuedAt: number) =>
  createHmac("sha256", macKey(secret)).update(`v1|${nickname}|${nonce}|${issuedAt}`).digest("base64url");

export function issueDeviceCookie(nickname: string, secret: string, secure: boolean, now = Date.now()): DeviceCookie {
  const nonce = randomBytes(16).toString("base64url");
  const issuedAt = Math.floor(now / 1000);
  return { name: deviceCookieName(nickname, secure), value: `${nonce}.${issuedAt}.${mac(secret, nickname, nonce, issuedAt)}` };
}

/** The Set-Cookie line: only ever sent back to the login callback, never readable by scripts. */
export function deviceCookieHeader(cookie: DeviceCookie, secure: boolean): string {
  return `${cookie.name}=${cookie.value}; Path=${PATH}; Max-Age=${DEVICE_COOKIE_MAX_AGE_SEC}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The cookie's nonce (its rate-limit key) when it is genuine, for this nickname, and not expired; otherwise null. */
export function verifyDeviceCookie(nickname: string, value: string | undefined, secret: string, now = Date.now()): string | null {
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return null;
  const [, nonce, issued, given] = match as unknown as [string, string, string, string];
  const issuedAt = Number(issued);
  if (now / 1000 - issuedAt > DEVICE_COOKIE_MAX_AGE_SEC || issuedAt > now / 1000 + 60) return null;
  const expected = Buffer.from(mac(secret, nickname, nonce, issuedAt));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? nonce : null;
}
