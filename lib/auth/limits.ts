import "server-only";
import { db } from "@/lib/db/client";
import { rateLimited } from "@/lib/http/api-error";
import { DbRateLimiter } from "./db-rate-limiter";
import type { BucketRule, RateLimiter } from "./rate-limit";

// Every rate limit of the API in one table. Buckets live in the database
// (db-rate-limiter.ts), so they hold across restarts and instances; a test
// may swap one for an in-memory limiter with setLimiter.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RATE_RULES = {
  registerPerIp: { limit: 10, windowMs: HOUR },
  registerPerNickname: { limit: 5, windowMs: HOUR },
  /** Login attempts from one address, whatever the nickname (browsers without a device cookie). */
  loginPerIp: { limit: 30, windowMs: 15 * MINUTE },
  /** Login attempts on one nickname from one address. */
  loginPerNicknameAndIp: { limit: 10, windowMs: 15 * MINUTE },
  /** Login attempts on one nickname from anywhere: larger, but refilling slowly (about 4 an hour). */
  loginPerNickname: { limit: 100, windowMs: 24 * HOUR },
  /** Login attempts from a browser that logged in to this nickname before (OWASP "device cookies"). */
  loginPerDeviceCookie: { limit: 10, windowMs: HOUR },
  /** Password changes (each checks the current password: a stolen cookie must not be a password oracle). */
  passwordChangePerUser: { limit: 5, windowMs: HOUR },
  /** GET /api/users/:nickname per signed-in user. */
  lookupPerUser: { limit: 300, windowMs: 10 * MINUTE },
  /** GET /api/users/:nickname/presence per signed-in user (polled while messages wait). */
  presencePerUser: { limit: 600, windowMs: 10 * MINUTE },
  signalPerDevice: { limit: 600, windowMs: MINUTE },
  pushPingPerUser: { limit: 1, windowMs: 30_000 },
  // One at page load and one before each expiry (TURN_TTL ≥ 5 min): reloads leave plenty of room.
  iceServersPerDevice: { limit: 60, windowMs: 60 * 60_000 },
} satisfies Record<string, BucketRule>;

export type RateRuleName = keyof typeof RATE_RULES;

type Registry = Map<RateRuleName, RateLimiter>;
// On globalThis so dev-mode module reloading keeps injected limiters.
const holder = globalThis as unknown as { communispRateLimiters?: Registry };

export function limiter(name: RateRuleName): RateLimiter {
  holder.communispRateLimiters ??= new Map();
  let found = holder.communispRateLimiters.get(name);
  if (!found) {
    found = new DbRateLimiter(db, name, RATE_RULES[name]);
    holder.communispRateLimiters.set(name, found);
  }
  return found;
}

/** Lets a test put an in-memory limiter (or another rule) in place of a database-backed one. */
export function setLimiter(name: RateRuleName, replacement: RateLimiter): void {
  holder.communispRateLimiters ??= new Map();
  holder.communispRateLimiters.set(name, replacement);
}

/**
 * Consumes one token from each bucket in order, stopping at the first that is
 * empty, and throws a 429 then. Narrow buckets go first: an attempt refused
 * for one address does not also use up what the nickname has left for others.
 */
export async function enforce(...checks: [RateRuleName, string][]): Promise<void> {
  for (const [name, key] of checks) {
    const decision = await limiter(name).consume(key);
    if (!decision.allowed) throw rateLimited(decision.retryAfterSec);
  }
}
