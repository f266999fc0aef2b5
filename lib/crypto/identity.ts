// A device's long-term keys: Ed25519 to sign handshakes, X25519 for boxes.
// Serialised as base64 strings in a plain object so IndexedDB stores it as is.
import nacl from "tweetnacl";
import { assertBytes, equalBytes, fromBase64, toBase64 } from "./bytes";
import { dhKeyPairFromSecret } from "./dh";
import { draw, type RandomSource } from "./random";

export interface DeviceIdentity {
  /** Ed25519 public key (32 bytes). */
  signPublicKey: Uint8Array;
  /** Ed25519 secret key in tweetnacl's form, seed || public key (64 bytes). */
  signSecretKey: Uint8Array;
  /** X25519 public key (32 bytes). */
  dhPublicKey: Uint8Array;
  /** X25519 secret key (32 bytes). */
  dhSecretKey: Uint8Array;
}

export interface DeviceIdentityJSON {
  v: 1;
  signSeed: string;
  signPublicKey: string;
  dhSecretKey: string;
  dhPublicKey: string;
}

/** What the server and peers may learn about a device. */
export interface PublicIdentityJSON {
  signPublicKey: string;
  dhPublicKey: string;
}

export function identityFromSeeds(signSeed: Uint8Array, dhSecret: Uint8Array): DeviceIdentity {
  assertBytes(signSeed, "signSeed", 32);
  assertBytes(dhSecret, "dhSecret", 32);
  const sign = nacl.sign.keyPair.fromSeed(signSeed);
  const box = dhKeyPairFromSecret(dhSecret);
  return {
    signPublicKey: sign.publicKey,
    signSecretKey: sign.secretKey,
    dhPublicKey: box.publicKey,
    dhSecretKey: box.secretKey,
  };
}

/** Draws 32 bytes for the Ed25519 seed, then 32 for the X25519 secret. */
export function generateIdentity(random: RandomSource): DeviceIdentity {
  const signSeed = draw(random, 32);
  const dhSecret = draw(random, 32);
  const id = identityFromSeeds(signSeed, dhSecret);
  signSeed.fill(0);
  dhSecret.fill(0);
  return id;
}

export function identityToJSON(id: DeviceIdentity): DeviceIdentityJSON {
  assertBytes(id.signSecretKey, "signSecretKey", 64);
  return {
    v: 1,
    signSeed: toBase64(id.signSecretKey.subarray(0, 32)),
    signPublicKey: toBase64(id.signPublicKey),
    dhSecretKey: toBase64(id.dhSecretKey),
    dhPublicKey: toBase64(id.dhPublicKey),
  };
}

/** Re-derives the public halves and refuses a record whose stored ones disagree. */
export function identityFromJSON(json: DeviceIdentityJSON): DeviceIdentity {
  if (typeof json !== "object" || json === null || json.v !== 1) throw new TypeError("not a v1 DeviceIdentityJSON");
  const signSeed = fromBase64(json.signSeed);
  const dhSecret = fromBase64(json.dhSecretKey);
  const id = identityFromSeeds(signSeed, dhSecret);
  signSeed.fill(0);
  dhSecret.fill(0);
  if (!equalBytes(id.signPublicKey, fromBase64(json.signPublicKey)) || !equalBytes(id.dhPublicKey, fromBase64(json.dhPublicKey))) {
    throw new RangeError("identity public keys do not match the secret keys");
  }
  return id;
}

export function publicIdentity(id: DeviceIdentity): PublicIdentityJSON {
  return { signPublicKey: toBase64(id.signPublicKey), dhPublicKey: toBase64(id.dhPublicKey) };
}
