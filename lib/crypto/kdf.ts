// The key derivation functions of the Double Ratchet, as recommended in
// Signal's specification §5.2: KDF_RK is HKDF-SHA256 salted with the root key,
// KDF_CK is HMAC-SHA256 keyed with the chain key over constant inputs.
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8Encode } from "./bytes";
import { LABEL } from "./constants";

const KDF_RK_INFO = utf8Encode(LABEL.kdfRk);
const MESSAGE_KEYS_INFO = utf8Encode(LABEL.messageKeys);
const ZERO_SALT = new Uint8Array(32);
const CK_MESSAGE = Uint8Array.of(0x01);
const CK_CHAIN = Uint8Array.of(0x02);

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  return hkdf(sha256, ikm, salt, info, length);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

/** KDF_RK(rk, dh_out) → (root key, chain key). Spec §5.2. */
export function kdfRk(rk: Uint8Array, dhOut: Uint8Array): { rk: Uint8Array; ck: Uint8Array } {
  const out = hkdfSha256(dhOut, rk, KDF_RK_INFO, 64);
  const next = { rk: out.slice(0, 32), ck: out.slice(32, 64) };
  out.fill(0);
  return next;
}

/** KDF_CK(ck) → (chain key, message key): HMAC(ck, 0x02) and HMAC(ck, 0x01). Spec §5.2. */
export function kdfCk(ck: Uint8Array): { ck: Uint8Array; mk: Uint8Array } {
  return { ck: hmacSha256(ck, CK_CHAIN), mk: hmacSha256(ck, CK_MESSAGE) };
}

export interface MessageKeys {
  encKey: Uint8Array;
  authKey: Uint8Array;
  nonce: Uint8Array;
}

/**
 * Spec §5.2 ENCRYPT: expand the message key with HKDF into a cipher key, an
 * authentication key and a nonce. Each message key is used once, so a nonce
 * derived from it is never reused.
 */
export function messageKeys(mk: Uint8Array): MessageKeys {
  const out = hkdfSha256(mk, ZERO_SALT, MESSAGE_KEYS_INFO, 88);
  const keys = { encKey: out.slice(0, 32), authKey: out.slice(32, 64), nonce: out.slice(64, 88) };
  out.fill(0);
  return keys;
}
