import crypto from "node:crypto";
import { migrate, useTestDatabase } from "../../support/test-env";

// The login policy of lib/auth/login.ts on its own, with the real limiters'
// rules in memory (injected) and accounts hashed with cheap scrypt
// parameters, so a test can spend hundreds of attempts: who is limited, who
// is not, and that no limited or malformed attempt reaches password hashing.

const database = useTestDatabase();
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { attemptLogin } = require("@/lib/auth/login") as typeof import("@/lib/auth/login");
const { hashPassword } = require("@/lib/auth/password") as typeof import("@/lib/auth/password");
const { RATE_RULES, setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit");
const { deviceCookieName, issueDeviceCookie } = require("@/lib/auth/device-cookie") as typeof import("@/lib/auth/device-cookie");

const SECRET = "login-policy-secret-login-policy-secret";
const PASSWORD = "the owner's passphrase";
const LOGIN_RULES = ["loginPerIp", "loginPerNicknameAndIp", "loginPerNickname", "loginPerDeviceCookie"] as const;

function freshLimiters(): void {
  for (const name of LOGIN_RULES) setLimiter(name, new MemoryRateLimiter(RATE_RULES[name]));
}

const attempt = (nickname: unknown, password: unknown, ip: string, cookies = new Map<string, string>()) =>
  attemptLogin({ nickname, password, ip, cookies, secret: SECRET, secureCookies: false });
/** "ok", or why not. */
const outcome = (r: Awaited<ReturnType<typeof attemptLogin>>) => (r.ok ? "ok" : r.reason);
const withDeviceCookie = (nickname: string, value = issueDeviceCookie(nickname, SECRET, false).value) => new Map([[deviceCookieName(nickname, false), value]]);

let hashing: jest.SpyInstance;

beforeAll(async () => {
  await migrate(database.url);
  for (const nickname of ["owner", "other"]) await db().user.create({ data: { nickname, passwordHash: await hashPassword(PASSWORD, { logN: 10, r: 8, p: 1 }) } });
});
beforeEach(() => {
  freshLimiters();
  // Every password check (right, wrong or unknown nickname) is one scrypt call.
  hashing = jest.spyOn(crypto, "scrypt");
});
afterEach(() => hashing.mockRestore());
afterAll(async () => {
  await db().$disconnect();
  database.cleanup();
});

describe("attemptLogin", () => {
  it("logs the owner in with the right password, and says nothing more than 'invalid' otherwise", async () => {
    expect(await attempt("OWNER", PASSWORD, "192.0.2.1")).toMatchObject({ ok: true, account: { nickname: "owner" } });
    expect(await attempt("owner", "not the password", "192.0.2.1")).toEqual({ ok: false, reason: "invalid_credentials" });
    expect(await attempt("nobody", "not the password", "192.0.2.1")).toEqual({ ok: false, reason: "invalid_credentials" });
  });

  it("never hashes, nor counts, credentials that cannot be right", async () => {
    for (let i = 0; i < 200; i++) {
      expect(await attempt("owner", "short", "192.0.2.2")).toEqual({ ok: false, reason: "invalid_credentials" });
      expect(await attempt(["owner"], PASSWORD, "192.0.2.2")).toEqual({ ok: false, reason: "invalid_credentials" });
      expect(await attempt("no spaces allowed", PASSWORD, "192.0.2.2")).toEqual({ ok: false, reason: "invalid_credentials" });
    }
    expect(hashing).not.toHaveBeenCalled();
    // Nothing was spent: the owner logs in from that very address.
    expect((await attempt("owner", PASSWORD, "192.0.2.2")).ok).toBe(true);
  });

  it("limits one address on one nickname to 10 attempts, refusing before any hashing, while other addresses go on", async () => {
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await attempt("owner", `guess ${i} guess`, "203.0.113.5"));
    expect(results.slice(0, 10).every((r) => outcome(r) === "invalid_credentials")).toBe(true);
    expect(results[10]).toMatchObject({ ok: false, reason: "rate_limited" });
    expect((results[10] as { retryAfterSec: number }).retryAfterSec).toBeGreaterThan(0);
    expect(hashing).toHaveBeenCalledTimes(10);
    // Even the right password from there waits: guessing cannot race the limit.
    expect((await attempt("owner", PASSWORD, "203.0.113.5")).ok).toBe(false);
    expect((await attempt("owner", PASSWORD, "192.0.2.3")).ok).toBe(true);
  });

  it("does not let a limited address drain the nickname's budget for everyone else", async () => {
    setLimiter("loginPerNickname", new MemoryRateLimiter({ limit: 12, windowMs: 24 * 3600_000 }));
    for (let i = 0; i < 500; i++) await attempt("owner", `guess ${i} guess`, "203.0.113.6");
    // 10 got through to the nickname's budget of 12; the 490 refused at the address spent nothing of it.
    expect((await attempt("owner", PASSWORD, "192.0.2.4")).ok).toBe(true);
    expect((await attempt("owner", PASSWORD, "192.0.2.5")).ok).toBe(true);
    expect(outcome(await attempt("owner", PASSWORD, "192.0.2.6"))).toBe("rate_limited");
  });

  it("stops a guessing campaign spread over many addresses at the nickname's budget, except for browsers holding the owner's device cookie", async () => {
    setLimiter("loginPerNickname", new MemoryRateLimiter({ limit: 30, windowMs: 24 * 3600_000 }));
    const ownersBrowser = withDeviceCookie("owner");
    for (let i = 0; i < 30; i++) await attempt("owner", `guess ${i} guess`, `198.51.100.${i}`);
    expect(outcome(await attempt("owner", PASSWORD, "192.0.2.7"))).toBe("rate_limited");
    expect(await attempt("owner", PASSWORD, "192.0.2.7", ownersBrowser)).toMatchObject({ ok: true });
    // Another account is untouched by the campaign on "owner".
    expect((await attempt("other", PASSWORD, "192.0.2.7")).ok).toBe(true);
  });

  it("gives a device cookie its own, bounded budget, and ignores a forged, foreign or stale one", async () => {
    setLimiter("loginPerNickname", new MemoryRateLimiter({ limit: 1, windowMs: 24 * 3600_000 }));
    await attempt("owner", "use the one attempt up", "198.51.100.200");
    const issued = issueDeviceCookie("owner", SECRET, false);
    const [nonce, issuedAt, mac] = issued.value.split(".") as [string, string, string];
    const forged = `${nonce}.${issuedAt}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
    const stale = issueDeviceCookie("owner", SECRET, false, Date.now() - 400 * 24 * 3600_000).value;
    const wrongSecret = issueDeviceCookie("owner", "another-secret-another-secret-another", false).value;
    for (const value of [forged, stale, wrongSecret, issueDeviceCookie("other", SECRET, false).value]) {
      expect(outcome(await attempt("owner", PASSWORD, "192.0.2.8", withDeviceCookie("owner", value)))).toBe("rate_limited");
    }
    // The genuine one: 10 attempts an hour, then limited like anyone.
    const browser = withDeviceCookie("owner", issued.value);
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await attempt("owner", `typo ${i} typo`, "192.0.2.8", browser));
    expect(outcome(results.at(-1)!)).toBe("rate_limited");
    expect(results.slice(0, 10).every((r) => outcome(r) === "invalid_credentials")).toBe(true);
  });
});
