import "server-only";
import type { PrismaClient } from "@/lib/db/client";
import type { BucketRule, RateDecision, RateLimiter } from "./rate-limit";

// Token buckets kept in the app's own database, so a limit holds across
// restarts and across every instance of a hosted deployment that shares the
// database. One UPSERT both refills, decides and records, so two instances
// racing on one bucket cannot both spend its last token (SQLite and libSQL
// run each statement atomically).

const PRUNE_EVERY_MS = 60_000;

// Refill since the last update, capped at the limit: MIN(limit, tokens + elapsed * rate).
// Plain `?` placeholders (the drivers differ on numbered ones), so the
// arguments follow the text: see consumeArgs.
const REFILLED = `MIN(?, "tokens" + (? - "updatedAt") * ?)`;
const CONSUME = `
INSERT INTO "RateBucket" ("key", "tokens", "lastAllowed", "updatedAt", "expiresAt")
VALUES (?, ?, 1, ?, ?)
ON CONFLICT ("key") DO UPDATE SET
  "tokens" = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
  "lastAllowed" = CASE WHEN ${REFILLED} >= 1 THEN 1 ELSE 0 END,
  "updatedAt" = ?,
  "expiresAt" = ?
RETURNING "tokens", "lastAllowed"`;

function consumeArgs(key: string, rule: BucketRule, now: number): unknown[] {
  const rate = rule.limit / rule.windowMs;
  const refilled = [rule.limit, now, rate];
  return [key, rule.limit - 1, now, now + rule.windowMs, ...refilled, ...refilled, ...refilled, ...refilled, now, now + rule.windowMs];
}

export class DbRateLimiter implements RateLimiter {
  private prunedAt = 0;

  constructor(
    private readonly db: () => PrismaClient,
    /** Names the rule in the bucket keys, so rules never share a bucket. */
    private readonly name: string,
    private readonly rule: BucketRule,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError("limit must be >= 1 and windowMs > 0");
  }

  async consume(key: string): Promise<RateDecision> {
    const now = this.clock();
    const rate = this.rule.limit / this.rule.windowMs;
    const rows = await this.db().$queryRawUnsafe<{ tokens: number; lastAllowed: number | boolean }[]>(CONSUME, ...consumeArgs(`${this.name}:${key}`, this.rule, now));
    await this.pruneNow(now);
    const row = rows[0];
    if (!row) throw new Error("rate bucket update returned no row");
    if (Number(row.lastAllowed) === 1) return { allowed: true, retryAfterSec: 0 };
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((1 - Number(row.tokens)) / rate / 1000)) };
  }

  /** Buckets untouched for a whole window are full again: their rows say nothing and go. */
  private async pruneNow(now: number): Promise<void> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    await this.db().$executeRawUnsafe(`DELETE FROM "RateBucket" WHERE "expiresAt" < ?`, now);
  }
}
