// Primitives over the platform's WebCrypto (native X25519 and Ed25519). The
// SubtleCrypto object is passed in, so this module reads no global: the page
// passes window.crypto.subtle, Node passes globalThis.crypto.subtle, tests
// pass either. Keys still come from the caller's random draws (a PKCS#8
// import of the drawn secret), so the bytes are tweetnacl's to the bit; the
// imported CryptoKey is kept beside the raw bytes (DhKeyPair.handle) and
// reused for every later X25519 with that key pair.
import { assertBytes, concatBytes, equalBytes, fromBase64, isAllZero, toHex } from "./bytes";
import type { DhKeyPair } from "./dh";
import { assertSignArgs, assertVerifyArgs, checkEd25519Encoding, type Primitives } from "./primitives";

// PKCS#8 wrappings of a raw 32-byte private key (RFC 8410 §7): a fixed DER
// prefix naming the algorithm (OID 1.3.101.110 X25519, 1.3.101.112 Ed25519), then the key.
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
/** Public keys kept imported, per kind: a peer's ratchet key is used twice per DH step, its identity key once per handshake. */
const PUBLIC_KEY_CACHE = 32;

type Bytes = Uint8Array<ArrayBuffer>;

/** A bounded map that forgets the entry used longest ago. Holds public keys only. */
class PublicKeyCache {
  private readonly map = new Map<string, CryptoKey>();
  constructor(private readonly max: number) {}
  get(id: string): CryptoKey | undefined {
    const key = this.map.get(id);
    if (key) {
      this.map.delete(id);
      this.map.set(id, key);
    }
    return key;
  }
  set(id: string, key: CryptoKey): void {
    this.map.set(id, key);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

/** WebCrypto refuses low-order X25519 inputs with an OperationError (Chromium, Node) or a DataError at import (others). */
// By name, not instanceof: a DOMException may come from another realm (a worker, Node's vm contexts).
const refusedInput = (error: unknown) => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "OperationError" || name === "DataError";
};

export function webCryptoPrimitives(subtle: SubtleCrypto): Primitives {
  if (typeof subtle?.importKey !== "function") throw new TypeError("subtle must be a SubtleCrypto");
  const handles = new WeakSet<object>();
  const dhPublic = new PublicKeyCache(PUBLIC_KEY_CACHE);
  const verifyKeys = new PublicKeyCache(PUBLIC_KEY_CACHE);
  // Keyed by the secret key array: a device's identity is imported once per page.
  const signKeys = new WeakMap<Uint8Array, { publicHalf: Uint8Array; key: CryptoKey }>();

  async function importPkcs8(prefix: Uint8Array, secret: Uint8Array, name: string, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey> {
    const pkcs8 = concatBytes(prefix, secret) as Bytes;
    try {
      return await subtle.importKey("pkcs8", pkcs8, { name }, extractable, usages);
    } finally {
      pkcs8.fill(0);
    }
  }

  async function privateHandle(pair: DhKeyPair): Promise<CryptoKey> {
    if (pair.handle && handles.has(pair.handle)) return pair.handle as CryptoKey;
    return importPkcs8(PKCS8_X25519, pair.secretKey, "X25519", false, ["deriveBits"]);
  }

  async function dhPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
    const id = toHex(publicKey);
    let key = dhPublic.get(id);
    if (!key) {
      key = await subtle.importKey("raw", publicKey.slice() as Bytes, { name: "X25519" }, false, []);
      dhPublic.set(id, key);
    }
    return key;
  }

  return Object.freeze({
    name: "webcrypto",
    async x25519KeyPair(secret: Uint8Array): Promise<DhKeyPair> {
      assertBytes(secret, "secretKey", 32);
      // Extractable only so that the public half can be read back (JWK "x"):
      // a thief who can call exportKey can read the raw secret beside it anyway.
      const key = await importPkcs8(PKCS8_X25519, secret, "X25519", true, ["deriveBits"]);
      const jwk = await subtle.exportKey("jwk", key);
      const publicKey = fromBase64Url(jwk.x ?? "");
      if (jwk.d) jwk.d = "";
      assertBytes(publicKey, "derived publicKey", 32);
      handles.add(key);
      return { publicKey, secretKey: secret.slice(), handle: key };
    },
    async x25519(pair: DhKeyPair, publicKey: Uint8Array): Promise<Uint8Array | null> {
      assertBytes(pair?.secretKey, "secretKey", 32);
      assertBytes(publicKey, "publicKey", 32);
      let out: Uint8Array;
      try {
        const [own, peer] = await Promise.all([privateHandle(pair), dhPublicKey(publicKey)]);
        out = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: peer }, own, 256));
      } catch (error) {
        if (refusedInput(error)) return null;
        throw error;
      }
      return isAllZero(out) ? null : out;
    },
    async ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
      assertSignArgs(secretKey, message);
      let cached = signKeys.get(secretKey);
      // The array may have been overwritten (wiped) since: its public half says so.
      if (!cached || !equalBytes(cached.publicHalf, secretKey.subarray(32))) {
        cached = { publicHalf: secretKey.slice(32), key: await importPkcs8(PKCS8_ED25519, secretKey.subarray(0, 32), "Ed25519", false, ["sign"]) };
        signKeys.set(secretKey, cached);
      }
      return new Uint8Array(await subtle.sign({ name: "Ed25519" }, cached.key, message.slice() as Bytes));
    },
    async ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      assertVerifyArgs(publicKey, message, signature);
      if (!checkEd25519Encoding(publicKey, signature)) return false;
      try {
        const id = toHex(publicKey);
        let key = verifyKeys.get(id);
        if (!key) {
          key = await subtle.importKey("raw", publicKey.slice() as Bytes, { name: "Ed25519" }, false, ["verify"]);
          verifyKeys.set(id, key);
        }
        return await subtle.verify({ name: "Ed25519" }, key, signature.slice() as Bytes, message.slice() as Bytes);
      } catch (error) {
        if (refusedInput(error)) return false; // a public key that is not a point
        throw error;
      }
    },
  });
}
