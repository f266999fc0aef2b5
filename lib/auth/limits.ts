import "server-only";
import { rateLimited } from "@/lib/http/api-error";
import { MemoryRateLimiter, type BucketRule, type RateLimiter } from "./rate-limit";

// Every rate limit of the API in one table.
export const RATE_RULES = {
  registerPerIp: { limit: 10, windowMs: 60 * 60_000 },
  registerPerNickname: { limit: 5, windowMs: 60 * 60_000 },
  loginPerIp: { limit: 30, windowMs: 15 * 60_000 },
  loginPerNickname: { limit: 10, windowMs: 15 * 60_000 },
  signalPerDevice: { limit: 600, windowMs: 60_000 },
  pushPingPerUser: { limit: 1, windowMs: 30_000 },
  // One at page load and one before each expiry (TURN_TTL ≥ 5 min): reloads leave plenty of room.
  iceServersPerDevice: { limit: 60, windowMs: 60 * 60_000 },
} satisfies Record<string, BucketRule>;

export type RateRuleName = keyof typeof RATE_RULES;

type Registry = Map<RateRuleName, RateLimiter>;
// On globalThis so dev-mode module reloading does not reset the counters.
const holder = globalThis as unknown as { communispRateLimiters?: Registry };

export function limiter(name: RateRuleName): RateLimiter {
  holder.communispRateLimiters ??= new Map();
  let found = holder.communispRateLimiters.get(name);
  if (!found) {
    found = new MemoryRateLimiter(RATE_RULES[name]);
    holder.communispRateLimiters.set(name, found);
  }
  return found;
}

/** Lets a deployment (or a test) swap in another store. */
export function setLimiter(name: RateRuleName, replacement: RateLimiter): void {
  holder.communispRateLimiters ??= new Map();
  holder.communispRateLimiters.set(name, replacement);
}

/** Consumes one token from every bucket named; throws a 429 if any is empty. */
export async function enforce(...checks: [RateRuleName, string][]): Promise<void> {
  let wait = 0;
  for (const [name, key] of checks) {
    const decision = await limiter(name).consume(key);
    if (!decision.allowed) wait = Math.max(wait, decision.retryAfterSec);
  }
  if (wait > 0) throw rateLimited(wait);
}
