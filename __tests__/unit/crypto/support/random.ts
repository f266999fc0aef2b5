// Deterministic randomness for tests: a SHA-256 counter stream from a seed,
// and a fixed list of draws that fails if a draw has the wrong size or if any
// draw is left unused.
import { sha256 } from "@noble/hashes/sha2.js";
import type { RandomSource } from "@/lib/crypto";

export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  const prefix = new TextEncoder().encode(`test-rng/${seed}/`);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(new Uint8Array([...prefix, ...new TextEncoder().encode(String(counter++))]));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

export interface FixedRandom extends RandomSource {
  assertExhausted(): void;
  remaining(): number;
}

export function fixedRandom(draws: Uint8Array[]): FixedRandom {
  const queue = draws.map((d) => d.slice());
  const fn = ((n: number) => {
    const next = queue.shift();
    if (!next) throw new Error(`fixedRandom: no draw left for a request of ${n} bytes`);
    if (next.length !== n) throw new Error(`fixedRandom: next draw has ${next.length} bytes, ${n} requested`);
    return next;
  }) as FixedRandom;
  fn.assertExhausted = () => {
    if (queue.length !== 0) throw new Error(`fixedRandom: ${queue.length} draw(s) left unused`);
  };
  fn.remaining = () => queue.length;
  return fn;
}

export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new Error("odd hex");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
