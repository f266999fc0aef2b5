// The asymmetric primitives the W Ratchet needs, behind one small interface so
// that the same protocol code runs on tweetnacl (pure JavaScript, always
// there) or on the platform's WebCrypto (native X25519 and Ed25519, in
// Chromium, Firefox, Safari and Node ≥ 20). Both give identical bytes for
// identical inputs: keys come from the caller's random draws on either path,
// so the vectors run on both (__tests__/vectors). Symmetric work (HKDF,
// HMAC, XSalsa20-Poly1305) stays in lib/crypto, synchronous: see
// docs/performance.md for why.
import nacl from "tweetnacl";
import { assertBytes, isAllZero } from "./bytes";
import type { DhKeyPair } from "./dh";

export interface Primitives {
  /** "tweetnacl" or "webcrypto": what the bench and the logs call this path. */
  readonly name: string;
  /**
   * The X25519 key pair of a 32-byte secret (RFC 7748 §6.1: the public key is
   * X25519(secret, 9)). May attach a native handle for later x25519 calls.
   */
  x25519KeyPair(secret: Uint8Array): Promise<DhKeyPair>;
  /**
   * X25519(keyPair.secretKey, publicKey); null when the output is all zeros
   * (a low-order public key, RFC 7748 §6.1), on every path.
   */
  x25519(keyPair: DhKeyPair, publicKey: Uint8Array): Promise<Uint8Array | null>;
  /** Ed25519 signature (RFC 8032, pure) with tweetnacl's 64-byte secret key (seed || public key). */
  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 verification, strict as RFC 8032 §5.1.7 asks on every path (see checkEd25519Encoding). */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

// L, the order of the Ed25519 base point, little-endian (RFC 8032 §5.1).
const ED25519_L = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** Compares two little-endian 32-byte integers: true when a < b. */
function lessThanLE(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}

/** True when the 255-bit little-endian y of an encoded point is ≥ p = 2^255 − 19 (not canonical). */
function nonCanonicalY(point: Uint8Array): boolean {
  if (((point[31] as number) & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (point[i] !== 0xff) return false;
  return (point[0] as number) >= 0xed;
}

/**
 * The checks RFC 8032 §5.1.7 makes before the equation, done here once for
 * every path: S < L (tweetnacl skips it, so S + L would verify there and not
 * in WebCrypto), and canonical encodings of R and A. With them both paths
 * give the same answer to a malleated signature: false.
 */
export function checkEd25519Encoding(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return lessThanLE(signature.subarray(32, 64), ED25519_L) && !nonCanonicalY(signature.subarray(0, 32)) && !nonCanonicalY(publicKey);
}

export function assertSignArgs(secretKey: Uint8Array, message: Uint8Array): void {
  assertBytes(secretKey, "secretKey", 64);
  assertBytes(message, "message");
}

export function assertVerifyArgs(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
  assertBytes(publicKey, "publicKey", 32);
  assertBytes(message, "message");
  assertBytes(signature, "signature", 64);
}

/** Synchronous strict verification with tweetnacl, for the few callers that cannot wait (log challenges). */
export function ed25519VerifySync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertVerifyArgs(publicKey, message, signature);
  return checkEd25519Encoding(publicKey, signature) && nacl.sign.detached.verify(message, signature, publicKey);
}

/** The fallback: tweetnacl for everything, synchronous underneath. */
export const tweetnaclPrimitives: Primitives = Object.freeze({
  name: "tweetnacl",
  async x25519KeyPair(secret: Uint8Array): Promise<DhKeyPair> {
    assertBytes(secret, "secretKey", 32);
    const kp = nacl.box.keyPair.fromSecretKey(secret);
    return { publicKey: kp.publicKey, secretKey: kp.secretKey };
  },
  async x25519(keyPair: DhKeyPair, publicKey: Uint8Array): Promise<Uint8Array | null> {
    assertBytes(keyPair?.secretKey, "secretKey", 32);
    assertBytes(publicKey, "publicKey", 32);
    const out = nacl.scalarMult(keyPair.secretKey, publicKey);
    return isAllZero(out) ? null : out;
  },
  async ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
    assertSignArgs(secretKey, message);
    return nacl.sign.detached(message, secretKey);
  },
  async ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return ed25519VerifySync(publicKey, message, signature);
  },
});
