// How many answers one source address gets: a token bucket per address, in a
// bounded map. A STUN answer is about as large as the request, so the server
// amplifies nothing; the budget keeps it from being used to flood a victim
// whose address a sender forges, or from spending the CPU on a flood.

export interface ReplyBudgetRule {
  /** Answers an address may get at once. */
  burst: number;
  /** Answers per second it earns back. */
  perSecond: number;
  /** Addresses remembered; the least recently seen are forgotten first. */
  maxTracked: number;
}

/**
 * A browser sends a handful of Binding requests per candidate (retransmits,
 * then a keepalive every few seconds); a carrier-grade NAT puts many browsers
 * behind one address. This leaves room for both.
 */
export const DEFAULT_REPLY_BUDGET: ReplyBudgetRule = { burst: 200, perSecond: 50, maxTracked: 4096 };

export class ReplyBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rule: ReplyBudgetRule = DEFAULT_REPLY_BUDGET,
    private readonly clock: () => number,
  ) {
    if (!(rule.burst >= 1 && rule.perSecond > 0 && rule.maxTracked >= 1)) throw new RangeError("a reply budget needs burst >= 1, perSecond > 0 and maxTracked >= 1");
  }

  /** Takes one answer from `address`'s bucket; false when it is empty. */
  take(address: string): boolean {
    const now = this.clock();
    const found = this.buckets.get(address);
    const bucket = found ?? { tokens: this.rule.burst, at: now };
    bucket.tokens = Math.min(this.rule.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rule.perSecond);
    bucket.at = now;
    // Re-inserted so the Map's order is least recently seen first.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (this.buckets.size > this.rule.maxTracked) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get tracked(): number {
    return this.buckets.size;
  }
}
