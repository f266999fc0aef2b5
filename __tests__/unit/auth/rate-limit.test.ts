import { MemoryRateLimiter } from "@/lib/auth/rate-limit";

function limiterAt(limit: number, windowMs: number, maxKeys?: number) {
  let now = 1_000_000;
  const limiter = new MemoryRateLimiter({ limit, windowMs }, () => now, maxKeys);
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe("MemoryRateLimiter", () => {
  it("allows `limit` attempts, then refuses with the seconds until the next one", async () => {
    const { limiter } = limiterAt(3, 60_000);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume("k"));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]!.retryAfterSec).toBe(20); // one token per 20 s
  });

  it("refills continuously, never beyond the limit", async () => {
    const { limiter, advance } = limiterAt(2, 10_000);
    await limiter.consume("k");
    await limiter.consume("k");
    expect((await limiter.consume("k")).allowed).toBe(false);
    advance(5_000);
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
    advance(1_000_000);
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
  });

  it("keeps keys apart", async () => {
    const { limiter } = limiterAt(1, 60_000);
    expect((await limiter.consume("a")).allowed).toBe(true);
    expect((await limiter.consume("a")).allowed).toBe(false);
    expect((await limiter.consume("b")).allowed).toBe(true);
  });

  it("stays bounded by forgetting the least recently used keys", async () => {
    const { limiter } = limiterAt(1, 60_000, 2);
    await limiter.consume("a");
    await limiter.consume("b");
    await limiter.consume("a"); // refused, but touches "a"
    await limiter.consume("c"); // evicts "b"
    expect((await limiter.consume("a")).allowed).toBe(false);
    expect((await limiter.consume("b")).allowed).toBe(true);
  });

  it("refuses a nonsensical rule", () => {
    expect(() => new MemoryRateLimiter({ limit: 0, windowMs: 1 })).toThrow(RangeError);
    expect(() => new MemoryRateLimiter({ limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});
