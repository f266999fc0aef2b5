import "server-only";
import { checkCredentials, type Account } from "@/lib/accounts/accounts";
import { ApiError } from "@/lib/http/api-error";
import { deviceCookieName, verifyDeviceCookie } from "./device-cookie";
import { enforce } from "./limits";
import { credentialsSchema } from "./nickname";

// One login attempt, decided on exactly the credentials next-auth hands to
// `authorize` (lib/auth/options.ts), whatever path or form the request used.
//
// Limits (lib/auth/limits.ts), checked before any password hashing:
//  - a browser holding a device cookie for this nickname: its own bucket
//    (loginPerDeviceCookie), and nothing an attacker elsewhere can empty;
//  - any other browser: per address, per (nickname, address), then the
//    nickname's slow, larger budget. An address that is refused stops there,
//    so one attacker cannot drain the nickname's budget faster than their
//    per-address allowance.
// Malformed credentials (a 3-character password, a nickname with spaces) can
// never be right, cost no hashing and count against nothing.

export interface LoginAttempt {
  nickname: unknown;
  password: unknown;
  /** lib/http/client-ip.ts's view of the caller. */
  ip: string;
  cookies: Map<string, string>;
  secret: string;
  secureCookies: boolean;
}

export type LoginResult = { ok: true; account: Account } | { ok: false; reason: "invalid_credentials" } | { ok: false; reason: "rate_limited"; retryAfterSec: number };

export async function attemptLogin(attempt: LoginAttempt): Promise<LoginResult> {
  const parsed = credentialsSchema.safeParse({ nickname: attempt.nickname, password: attempt.password });
  if (!parsed.success) return { ok: false, reason: "invalid_credentials" };
  const { nickname, password } = parsed.data;

  const trusted = verifyDeviceCookie(nickname, attempt.cookies.get(deviceCookieName(nickname, attempt.secureCookies)), attempt.secret);
  try {
    if (trusted) await enforce(["loginPerDeviceCookie", trusted]);
    else await enforce(["loginPerIp", attempt.ip], ["loginPerNicknameAndIp", `${nickname}|${attempt.ip}`], ["loginPerNickname", nickname]);
  } catch (error) {
    if (error instanceof ApiError && error.code === "rate_limited") return { ok: false, reason: "rate_limited", retryAfterSec: Number(error.headers["Retry-After"]) };
    throw error;
  }

  const account = await checkCredentials(nickname, password);
  return account ? { ok: true, account } : { ok: false, reason: "invalid_credentials" };
}
