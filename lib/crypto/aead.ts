// ENCRYPT/DECRYPT of spec §5.2 built from tweetnacl and noble: the message key
// expands into (encKey, authKey, nonce); the body is sealed with
// XSalsa20-Poly1305 and HMAC-SHA256 covers AD || header || ciphertext, so any
// flipped bit in header, body or tag is refused.
import nacl from "tweetnacl";
import { concatBytes, equalBytes, wipe } from "./bytes";
import { hmacSha256, messageKeys } from "./kdf";

export interface Sealed {
  ciphertext: Uint8Array;
  mac: Uint8Array;
}

export function encrypt(mk: Uint8Array, plaintext: Uint8Array, ad: Uint8Array, headerBytes: Uint8Array): Sealed {
  const keys = messageKeys(mk);
  const ciphertext = nacl.secretbox(plaintext, keys.nonce, keys.encKey);
  const mac = hmacSha256(keys.authKey, concatBytes(ad, headerBytes, ciphertext));
  wipe(keys.encKey, keys.authKey, keys.nonce);
  return { ciphertext, mac };
}

/** Returns null on any failure; the caller reports one opaque code. */
export function decrypt(mk: Uint8Array, sealed: Sealed, ad: Uint8Array, headerBytes: Uint8Array): Uint8Array | null {
  const keys = messageKeys(mk);
  const expected = hmacSha256(keys.authKey, concatBytes(ad, headerBytes, sealed.ciphertext));
  const plaintext = equalBytes(expected, sealed.mac) ? nacl.secretbox.open(sealed.ciphertext, keys.nonce, keys.encKey) : null;
  wipe(keys.encKey, keys.authKey, keys.nonce, expected);
  return plaintext;
}
