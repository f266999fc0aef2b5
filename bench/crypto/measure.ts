// Timing helpers: run a unit of work until both a minimum count and a minimum
// duration are reached, after a short warm-up, and report the mean.
// globalThis.performance: the same file runs in Node and in a Chromium page.

export interface Budget {
  minMs: number;
  minIters: number;
  warmup: number;
}

export const FULL: Budget = { minMs: 1500, minIters: 20, warmup: 5 };
export const QUICK: Budget = { minMs: 250, minIters: 5, warmup: 2 };

/** Mean milliseconds per call of `fn`. */
export async function meanMs(fn: () => unknown | Promise<unknown>, budget: Budget): Promise<number> {
  for (let i = 0; i < budget.warmup; i++) await fn();
  let iters = 0;
  const start = performance.now();
  let elapsed = 0;
  while (iters < budget.minIters || elapsed < budget.minMs) {
    await fn();
    iters++;
    elapsed = performance.now() - start;
  }
  return elapsed / iters;
}

export const SIZES = [256, 16384] as const;
export type Size = (typeof SIZES)[number];

/** What each implementation reports. Throughput counts one message as its encryption plus its decryption. */
export interface ImplReport {
  /** Session setup, both sides, identity keys excluded (ms). */
  handshakeMs: number;
  /** Messages per second, one direction: symmetric-key ratchet steps only. */
  oneWayMsgsPerSec: Record<`${Size}`, number>;
  /** Messages per second, strictly alternating: every message brings a DH ratchet step. */
  pingPongMsgsPerSec: Record<`${Size}`, number>;
  /** Extra cost of a DH ratchet step: ping-pong minus one-way time per 256 B message (ms). */
  dhStepMs: number;
}

export function payload(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 255;
  return out;
}

export async function throughput(
  send: (from: 0 | 1, bytes: Uint8Array) => Promise<void> | void,
  budget: Budget,
): Promise<{ oneWay: Record<`${Size}`, number>; pingPong: Record<`${Size}`, number>; dhStepMs: number }> {
  const oneWay = {} as Record<`${Size}`, number>;
  const pingPong = {} as Record<`${Size}`, number>;
  const perMsg: Record<string, number> = {};
  for (const size of SIZES) {
    const bytes = payload(size);
    const one = await meanMs(() => send(0, bytes), budget);
    let turn: 0 | 1 = 0;
    const alt = await meanMs(() => {
      turn = turn === 0 ? 1 : 0;
      return send(turn, bytes);
    }, budget);
    oneWay[`${size}`] = 1000 / one;
    pingPong[`${size}`] = 1000 / alt;
    perMsg[`one${size}`] = one;
    perMsg[`alt${size}`] = alt;
  }
  return { oneWay, pingPong, dhStepMs: Math.max(0, (perMsg.alt256 ?? 0) - (perMsg.one256 ?? 0)) };
}
