import { createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from "node:crypto";
import type { DhKeyPair } from "@/lib/crypto/dh";
import { assertSignArgs, assertVerifyArgs, checkEd25519Encoding, type Primitives } from "@/lib/crypto/primitives";

// lib/crypto's primitives on Node's own OpenSSL X25519/Ed25519, called
// synchronously: as fast as the native WebCrypto a tab uses, and, like
// tweetnacl, settled in microtasks, so a soak that replays a seed replays
// the same interleaving (WebCrypto answers from other threads, whenever they
// finish). Tests that use it first check it against the RFCs' known answers
// with passesKnownAnswers, as the page does before it trusts a path.

const der = (prefix: number[], key: Uint8Array) => Buffer.concat([Buffer.from(prefix), key]);
// RFC 8410 wrappings of raw keys: OID 1.3.101.110 (X25519) and 1.3.101.112 (Ed25519).
const PKCS8_X25519 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];
const SPKI_X25519 = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00];
const PKCS8_ED25519 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
const SPKI_ED25519 = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

const privateKey = (prefix: number[], secret: Uint8Array): KeyObject => createPrivateKey({ key: der(prefix, secret), format: "der", type: "pkcs8" });
const publicKey = (prefix: number[], raw: Uint8Array): KeyObject => createPublicKey({ key: der(prefix, raw), format: "der", type: "spki" });
const rawPublic = (key: KeyObject) => new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32));

export const nodeSyncPrimitives: Primitives = Object.freeze({
  name: "node-sync",
  async x25519KeyPair(secret: Uint8Array): Promise<DhKeyPair> {
    return { publicKey: rawPublic(privateKey(PKCS8_X25519, secret)), secretKey: secret.slice() };
  },
  async x25519(pair: DhKeyPair, peer: Uint8Array): Promise<Uint8Array | null> {
    let out: Uint8Array;
    try {
      out = new Uint8Array(diffieHellman({ privateKey: privateKey(PKCS8_X25519, pair.secretKey), publicKey: publicKey(SPKI_X25519, peer) }));
    } catch {
      // OpenSSL refuses a low-order point (an all-zero output), as WebCrypto does.
      return null;
    }
    return out.every((b) => b === 0) ? null : out;
  },
  async ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
    assertSignArgs(secretKey, message);
    return new Uint8Array(sign(null, message, privateKey(PKCS8_ED25519, secretKey.subarray(0, 32))));
  },
  async ed25519Verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    assertVerifyArgs(key, message, signature);
    if (!checkEd25519Encoding(key, signature)) return false;
    try {
      return verify(null, message, publicKey(SPKI_ED25519, key), signature);
    } catch {
      return false;
    }
  },
});
