// Sealed logs (docs/protocol.md "Sealed logs"). A passphrase and a salt derive
// an X25519 "log" key pair and an Ed25519 "log authority" key pair. A device
// holding only the public halves can seal records it cannot open: each record
// gets a fresh ephemeral key, as in libsodium's crypto_box_seal.
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { assertBytes, concatBytes, equalBytes, fromBase64, isAllZero, toBase64, utf8Encode, wipe } from "./bytes";
import { KIND, LABEL, PROTOCOL_VERSION } from "./constants";
import { dhKeyPairFromSecret, generateDh, isLowOrderPoint } from "./dh";
import { CryptoError } from "./errors";
import { hkdfSha256 } from "./kdf";
import { checkKdfParams, DEFAULT_PASSPHRASE_KDF, derivePassphraseKey, type PassphraseKdfParams, type PassphraseOptions } from "./passphrase";
import { assertRandom, draw, type RandomSource } from "./random";

export interface LogKeys {
  logPublicKey: Uint8Array;
  logSecretKey: Uint8Array;
  authorityPublicKey: Uint8Array;
  /** tweetnacl form: seed || public key (64 bytes). */
  authoritySecretKey: Uint8Array;
}

/** What the home relay stores: enough to seal and to verify, never to open. */
export interface LogPublicBundle {
  v: 1;
  salt: string;
  kdf: PassphraseKdfParams;
  logPublicKey: string;
  authorityPublicKey: string;
}

export const SALT_BYTES = 16;
export const SEALED_OVERHEAD = 2 + 32 + 16;

export async function deriveLogKeys(
  passphrase: string,
  salt: Uint8Array,
  kdf: PassphraseKdfParams,
  opts?: PassphraseOptions,
): Promise<LogKeys> {
  const master = await derivePassphraseKey(passphrase, salt, kdf, opts);
  const boxSeed = hkdfSha256(master, salt, utf8Encode(LABEL.logBox), 32);
  const signSeed = hkdfSha256(master, salt, utf8Encode(LABEL.logAuthority), 32);
  const box = dhKeyPairFromSecret(boxSeed);
  const sign = nacl.sign.keyPair.fromSeed(signSeed);
  wipe(master, boxSeed, signSeed);
  return { logPublicKey: box.publicKey, logSecretKey: box.secretKey, authorityPublicKey: sign.publicKey, authoritySecretKey: sign.secretKey };
}

/** New log keys from a passphrase; draws SALT_BYTES random bytes for the salt. */
export async function createLogKeys(
  passphrase: string,
  random: RandomSource,
  kdf: PassphraseKdfParams = DEFAULT_PASSPHRASE_KDF,
  opts?: PassphraseOptions,
): Promise<{ keys: LogKeys; bundle: LogPublicBundle }> {
  assertRandom(random);
  const salt = draw(random, SALT_BYTES);
  const keys = await deriveLogKeys(passphrase, salt, kdf, opts);
  const bundle: LogPublicBundle = {
    v: 1,
    salt: toBase64(salt),
    kdf: checkKdfParams(kdf, true),
    logPublicKey: toBase64(keys.logPublicKey),
    authorityPublicKey: toBase64(keys.authorityPublicKey),
  };
  return { keys, bundle };
}

export function parseLogBundle(bundle: LogPublicBundle): { salt: Uint8Array; kdf: PassphraseKdfParams; logPublicKey: Uint8Array; authorityPublicKey: Uint8Array } {
  if (typeof bundle !== "object" || bundle === null || bundle.v !== 1) throw new TypeError("not a v1 LogPublicBundle");
  const logPublicKey = fromBase64(bundle.logPublicKey);
  const authorityPublicKey = fromBase64(bundle.authorityPublicKey);
  assertBytes(logPublicKey, "logPublicKey", 32);
  assertBytes(authorityPublicKey, "authorityPublicKey", 32);
  // A low-order log key would seal every record under a key everyone knows.
  if (isLowOrderPoint(logPublicKey)) throw new RangeError("logPublicKey is a low-order point");
  return { salt: fromBase64(bundle.salt), kdf: checkKdfParams(bundle.kdf, true), logPublicKey, authorityPublicKey };
}

/** Re-derives the keys on any device; a wrong passphrase is CryptoError OPEN_FAILED. */
export async function unlockLogKeys(passphrase: string, bundle: LogPublicBundle, opts?: PassphraseOptions): Promise<LogKeys> {
  const parsed = parseLogBundle(bundle);
  const keys = await deriveLogKeys(passphrase, parsed.salt, parsed.kdf, opts);
  if (!equalBytes(keys.logPublicKey, parsed.logPublicKey) || !equalBytes(keys.authorityPublicKey, parsed.authorityPublicKey)) {
    wipe(keys.logSecretKey, keys.authoritySecretKey);
    throw new CryptoError("OPEN_FAILED", "the passphrase does not match these log keys");
  }
  return keys;
}

function sealNonce(ephemeralPublicKey: Uint8Array, logPublicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8Encode(LABEL.sealNonce), ephemeralPublicKey, logPublicKey)).slice(0, 24);
}

/**
 * Encrypts a record to the log key. Draws 32 random bytes (the ephemeral key).
 * Throws RangeError for a low-order log key (RFC 7748 §6.1): the shared
 * secret would be all zeros, known to anyone.
 */
export function seal(record: Uint8Array, logPublicKey: Uint8Array, random: RandomSource): Uint8Array {
  assertBytes(record, "record");
  assertBytes(logPublicKey, "logPublicKey", 32);
  assertRandom(random);
  const eph = generateDh(random);
  const shared = nacl.scalarMult(eph.secretKey, logPublicKey);
  wipe(eph.secretKey);
  if (isAllZero(shared)) throw new RangeError("logPublicKey is a low-order point");
  const key = boxKey(shared);
  const box = nacl.box.after(record, sealNonce(eph.publicKey, logPublicKey), key);
  wipe(shared, key);
  return concatBytes(Uint8Array.of(PROTOCOL_VERSION, KIND.sealedRecord), eph.publicKey, box);
}

export type OpenResult = { ok: true; record: Uint8Array } | { ok: false; code: "MALFORMED" | "OPEN_FAILED" };

const isSealedRecord = (sealed: Uint8Array) => sealed.length >= SEALED_OVERHEAD && sealed[0] === PROTOCOL_VERSION && sealed[1] === KIND.sealedRecord;

/**
 * Opens a sealed record. Pass `logPublicKey` (LogKeys has it) when opening
 * many: deriving it from the secret costs a scalar multiplication per record.
 * A record whose ephemeral key is of low order does not open (OPEN_FAILED).
 */
export function openSealed(sealed: Uint8Array, logSecretKey: Uint8Array, logPublicKey?: Uint8Array): OpenResult {
  assertBytes(sealed, "sealed");
  assertBytes(logSecretKey, "logSecretKey", 32);
  if (logPublicKey !== undefined) assertBytes(logPublicKey, "logPublicKey", 32);
  if (!isSealedRecord(sealed)) return { ok: false, code: "MALFORMED" };
  let ownPublic = logPublicKey;
  if (!ownPublic) {
    const own = dhKeyPairFromSecret(logSecretKey);
    wipe(own.secretKey);
    ownPublic = own.publicKey;
  }
  const shared = nacl.scalarMult(logSecretKey, sealed.subarray(2, 34));
  const opened = openSealedWithShared(sealed, shared, ownPublic);
  wipe(shared);
  return opened;
}

/** The record's ephemeral X25519 key, for a caller that runs the DH step elsewhere (WebCrypto); null if malformed. */
export function sealedEphemeralKey(sealed: Uint8Array): Uint8Array | null {
  assertBytes(sealed, "sealed");
  return isSealedRecord(sealed) ? sealed.slice(2, 34) : null;
}

// "expand 32-byte k": Salsa20's constant, which crypto_box uses to turn the
// X25519 output into the secretbox key (NaCl crypto_box_beforenm).
const SIGMA = utf8Encode("expand 32-byte k");
const hsalsa20 = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20(out: Uint8Array, inp: Uint8Array, k: Uint8Array, c: Uint8Array): void } }).lowlevel
  .crypto_core_hsalsa20;

/** crypto_box_beforenm after the X25519 step: HSalsa20 of the shared point. */
function boxKey(shared: Uint8Array): Uint8Array {
  const key = new Uint8Array(32);
  hsalsa20(key, new Uint8Array(16), shared, SIGMA);
  return key;
}

/**
 * openSealed with the X25519 step already done: `shared` is
 * X25519(logSecretKey, sealedEphemeralKey(sealed)). The rest is crypto_box's
 * own derivation (HSalsa20 of the shared point) and XSalsa20-Poly1305, so the
 * result is exactly openSealed's. An all-zero `shared` (a low-order
 * ephemeral key) is refused as OPEN_FAILED.
 */
export function openSealedWithShared(sealed: Uint8Array, shared: Uint8Array, logPublicKey: Uint8Array): OpenResult {
  assertBytes(sealed, "sealed");
  assertBytes(shared, "shared", 32);
  assertBytes(logPublicKey, "logPublicKey", 32);
  if (!isSealedRecord(sealed)) return { ok: false, code: "MALFORMED" };
  if (isAllZero(shared)) return { ok: false, code: "OPEN_FAILED" };
  const key = boxKey(shared);
  const record = nacl.box.open.after(sealed.subarray(34), sealNonce(sealed.subarray(2, 34), logPublicKey), key);
  wipe(key);
  return record ? { ok: true, record } : { ok: false, code: "OPEN_FAILED" };
}
