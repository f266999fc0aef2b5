// X25519 through tweetnacl. Key pairs come from injected randomness.
import nacl from "tweetnacl";
import { assertBytes, isAllZero } from "./bytes";
import type { Primitives } from "./primitives";
import { draw, type RandomSource } from "./random";

export interface DhKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  /**
   * The same secret as a native key (a WebCrypto CryptoKey), made by the
   * primitives that generated the pair and reused by them; opaque to
   * everything else. Never serialised; dropped when the pair is wiped.
   */
  handle?: unknown;
}

export function dhKeyPairFromSecret(secret: Uint8Array): DhKeyPair {
  assertBytes(secret, "secretKey", 32);
  const kp = nacl.box.keyPair.fromSecretKey(secret);
  return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** GENERATE_DH() of the spec. */
export function generateDh(random: RandomSource): DhKeyPair {
  const seed = draw(random, 32);
  const kp = dhKeyPairFromSecret(seed);
  seed.fill(0);
  return kp;
}

/** GENERATE_DH() on the given primitives: the same 32-byte draw, the same key pair, maybe a native handle. */
export async function generateDhWith(random: RandomSource, primitives: Primitives): Promise<DhKeyPair> {
  const seed = draw(random, 32);
  try {
    return await primitives.x25519KeyPair(seed);
  } finally {
    seed.fill(0);
  }
}

/** Wipes a key pair's secret and lets go of its native handle. */
export function wipeDhKeyPair(pair: DhKeyPair): void {
  pair.secretKey.fill(0);
  pair.handle = undefined;
}

/**
 * DH(dh_pair, dh_pub) of the spec. Returns null when the peer's key is of low
 * order (the shared secret would be all zeros, RFC 7748 §6.1), so callers can
 * refuse it rather than derive keys from a value the attacker knows.
 */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  assertBytes(secretKey, "secretKey", 32);
  assertBytes(publicKey, "publicKey", 32);
  const out = nacl.scalarMult(secretKey, publicKey);
  if (isAllZero(out)) return null;
  return out;
}

// Any scalar will do: X25519 clamps it to a multiple of the cofactor 8, which
// sends every point of small order to zero and no other point there.
const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);

/**
 * True when `publicKey` is one of the low-order points of RFC 7748 §6.1 (or
 * equivalent to one): every DH with it gives the all-zero output, whatever
 * the secret, so nothing keyed from it would be secret.
 */
export function isLowOrderPoint(publicKey: Uint8Array): boolean {
  assertBytes(publicKey, "publicKey", 32);
  return isAllZero(nacl.scalarMult(PROBE_SCALAR, publicKey));
}
