import type { RandomSource } from "@/lib/crypto/random";

/** The browser's CSPRNG, in the shape lib/crypto takes randomness. */
export const browserRandom: RandomSource = (n) => {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < n; offset += 65_536) crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + 65_536)));
  return out;
};
