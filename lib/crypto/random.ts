import { assertBytes } from "./bytes";

/**
 * Injected randomness: returns n fresh uniformly random bytes. In the browser
 * pass `(n) => crypto.getRandomValues(new Uint8Array(n))`; tests pass fixed bytes.
 */
export type RandomSource = (n: number) => Uint8Array;

export function assertRandom(random: unknown): asserts random is RandomSource {
  if (typeof random !== "function") throw new TypeError("random must be a function (n: number) => Uint8Array");
}

/** Draws n bytes and checks the source kept its contract. */
export function draw(random: RandomSource, n: number): Uint8Array {
  const out = random(n);
  assertBytes(out, "random(n) result", n);
  return out;
}

export function assertNow(now: unknown): asserts now is number {
  if (typeof now !== "number" || !Number.isSafeInteger(now) || now < 0) {
    throw new TypeError("now must be a non-negative integer (epoch milliseconds)");
  }
}
