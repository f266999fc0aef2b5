import { openSealed, openSealedWithShared, sealedEphemeralKey, type LogKeys } from "@/lib/crypto";

// Opening thousands of sealed records is one X25519 per record. The browser's
// own X25519 (WebCrypto, native code) does it about 17× faster than
// tweetnacl's JavaScript; the rest of the opening (HSalsa20, XSalsa20-Poly1305,
// the nonce) stays in lib/crypto, so the result is exactly openSealed's.
// Browsers without WebCrypto X25519 use tweetnacl for everything.

export type OpenRecords = (sealed: Uint8Array[]) => Promise<(Uint8Array | null)[]>;

// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): the fixed DER prefix, then the 32 bytes.
const PKCS8_X25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

export function tweetnaclOpener(keys: LogKeys): OpenRecords {
  return async (sealed) => sealed.map((s) => {
    const opened = openSealed(s, keys.logSecretKey, keys.logPublicKey);
    return opened.ok ? opened.record : null;
  });
}

export async function webCryptoOpener(keys: LogKeys, subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<OpenRecords | null> {
  if (!subtle) return null;
  let privateKey: CryptoKey;
  const pkcs8 = new Uint8Array(PKCS8_X25519_PREFIX.length + 32);
  try {
    pkcs8.set(PKCS8_X25519_PREFIX);
    pkcs8.set(keys.logSecretKey, PKCS8_X25519_PREFIX.length);
    privateKey = await subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, false, ["deriveBits"]);
  } catch {
    return null; // no X25519 in this browser's WebCrypto
  } finally {
    pkcs8.fill(0); // the secret key's copy goes, whether or not the import worked
  }
  const openOne = async (sealed: Uint8Array): Promise<Uint8Array | null> => {
    const ephemeral = sealedEphemeralKey(sealed);
    if (!ephemeral) return null;
    try {
      const publicKey = await subtle.importKey("raw", ephemeral as Uint8Array<ArrayBuffer>, { name: "X25519" }, false, []);
      const shared = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: publicKey }, privateKey, 256));
      const opened = openSealedWithShared(sealed, shared, keys.logPublicKey);
      shared.fill(0);
      return opened.ok ? opened.record : null;
    } catch {
      return null; // a low-order ephemeral key: WebCrypto refuses, the record is unreadable
    }
  };
  return (sealed) => Promise.all(sealed.map(openOne));
}

/** The fastest opener this environment offers. */
export async function recordOpener(keys: LogKeys): Promise<OpenRecords> {
  return (await webCryptoOpener(keys)) ?? tweetnaclOpener(keys);
}
