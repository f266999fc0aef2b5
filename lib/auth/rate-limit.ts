// Token buckets: `limit` attempts per `windowMs`, refilled continuously. The
// store is behind an interface: the app keeps buckets in its database
// (db-rate-limiter.ts); tests inject this in-memory one where they need a
// small, private limit.

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one more attempt would be allowed (0 when allowed). */
  retryAfterSec: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}

export interface BucketRule {
  limit: number;
  windowMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: BucketRule,
    private readonly clock: () => number = Date.now,
    /** Bounded: the oldest keys are forgotten first, which only ever errs towards allowing. */
    private readonly maxKeys = 50_000,
  ) {
    if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError("limit must be >= 1 and windowMs > 0");
  }

  async consume(key: string): Promise<RateDecision> {
    const now = this.clock();
    const ratePerMs = this.rule.limit / this.rule.windowMs;
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(this.rule.limit, previous.tokens + (now - previous.at) * ratePerMs) : this.rule.limit;
    this.buckets.delete(key); // re-inserted below, so Map order is least-recently-used first
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { allowed: false, retryAfterSec: Math.ceil((1 - tokens) / ratePerMs / 1000) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { allowed: true, retryAfterSec: 0 };
  }
}
