// Key material of a push subscription, checked without Node or WebCrypto so
// the subscribe schema runs anywhere. A bad key caught here is a 400 now,
// not a ping that web-push fails to encrypt on every send later.

/** base64url, padded or not (PushSubscription.toJSON() gives unpadded) → bytes, or null. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
  const bare = text.replace(/=+$/, "");
  if (bare.length % 4 === 1) return null;
  const binary = atob(bare.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(bare.length / 4) * 4, "="));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

// NIST P-256 (FIPS 186-4 D.1.2.3): field prime and curve coefficient b (a = −3).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

const toBigInt = (bytes: Uint8Array) => bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
const mod = (n: bigint) => ((n % P) + P) % P;

/** An uncompressed point (0x04 || x || y) that lies on P-256. */
export function isP256Point(bytes: Uint8Array): boolean {
  if (bytes.length !== 65 || bytes[0] !== 0x04) return false;
  const x = toBigInt(bytes.subarray(1, 33));
  const y = toBigInt(bytes.subarray(33, 65));
  if (x >= P || y >= P) return false;
  // y² = x³ − 3x + b (mod p)
  return mod(y * y) === mod(x * x * x - 3n * x + B);
}
