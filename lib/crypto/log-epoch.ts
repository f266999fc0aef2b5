// Sealed records in epochs (docs/protocol.md "Sealed record, version 2").
// The home relay holds only the log public key L. When an epoch opens it
// makes one ephemeral X25519 key, derives the epoch's root from X25519(e, L)
// and forgets e; each record then takes the next key of a hash chain started
// at that root (KDF_CK of the Double Ratchet), and the chain key it came from
// is overwritten. So the home can never open a record it has sealed, of a
// closed epoch or of the open one, and the reader pays one X25519 per epoch
// instead of one per record.
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { assertBytes, concatBytes, isAllZero, readU32be, u32be, utf8Encode, wipe } from "./bytes";
import { KIND, LABEL } from "./constants";
import { generateDh } from "./dh";
import { kdfCk } from "./kdf";
import { assertNow, assertRandom, type RandomSource } from "./random";

/** Format byte of a version-2 (epoch) sealed record; version 1 is one X25519 per record. */
export const SEALED_EPOCH_VERSION = 0x02;
/** An epoch closes after this many records... */
export const EPOCH_MAX_RECORDS = 1024;
/** ...or this long after it opened, whichever comes first (or when the page reloads: nothing of it is stored). */
export const EPOCH_MAX_MS = 15 * 60_000;
/** version, kind, E, index. */
export const EPOCH_HEADER_LENGTH = 2 + 32 + 4;
export const SEALED_EPOCH_OVERHEAD = EPOCH_HEADER_LENGTH + 16;

const EPOCH_INFO = utf8Encode(LABEL.logEpoch);

export interface LogEpoch {
  /** E: the epoch's ephemeral public key, in every record of the epoch. */
  readonly ephemeralPublicKey: Uint8Array;
  readonly logPublicKey: Uint8Array;
  readonly openedAt: number;
  /** The chain key of the next record; null once the epoch is closed (wiped). */
  chainKey: Uint8Array | null;
  /** Index of the next record. */
  next: number;
}

/** root = HKDF(ikm = X25519(e, L), salt = E || L, info = "CommunisP/W1/log-epoch", 32). */
export function epochRoot(shared: Uint8Array, ephemeralPublicKey: Uint8Array, logPublicKey: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublicKey, logPublicKey), EPOCH_INFO, 32);
}

/** nonce_i = u32(i) || E[0..20): unique per record even if two keys ever met. */
export function epochNonce(index: number, ephemeralPublicKey: Uint8Array): Uint8Array {
  return concatBytes(u32be(index), ephemeralPublicKey.subarray(0, 20));
}

/**
 * Opens an epoch: draws 32 bytes for e, computes X25519(e, L) with tweetnacl
 * (synchronously: the home seals inside an IndexedDB transaction, which an
 * await would end; it is one X25519 per epoch) and wipes e at once. A
 * low-order L is a RangeError, as in seal().
 */
export function openLogEpoch(logPublicKey: Uint8Array, now: number, random: RandomSource): LogEpoch {
  assertBytes(logPublicKey, "logPublicKey", 32);
  assertNow(now);
  assertRandom(random);
  const e = generateDh(random);
  const shared = nacl.scalarMult(e.secretKey, logPublicKey);
  wipe(e.secretKey);
  if (isAllZero(shared)) throw new RangeError("logPublicKey is a low-order point");
  const chainKey = epochRoot(shared, e.publicKey, logPublicKey);
  wipe(shared);
  return { ephemeralPublicKey: e.publicKey, logPublicKey: logPublicKey.slice(), openedAt: now, chainKey, next: 0 };
}

/** True when the epoch takes no more records: closed, full, or EPOCH_MAX_MS old. */
export function logEpochSpent(epoch: LogEpoch, now: number, maxMs = EPOCH_MAX_MS): boolean {
  assertNow(now);
  return epoch.chainKey === null || epoch.next >= EPOCH_MAX_RECORDS || now - epoch.openedAt >= maxMs;
}

/** Wipes the epoch's chain key: nothing sealed in it can be derived here any more, nor anything new sealed. */
export function closeLogEpoch(epoch: LogEpoch): void {
  wipe(epoch.chainKey);
  epoch.chainKey = null;
}

/**
 * Seals one record as the epoch's next: mk_i = HMAC(ck_i, 0x01) keys
 * XSalsa20-Poly1305, ck_i+1 = HMAC(ck_i, 0x02) replaces ck_i, and both ck_i
 * and mk_i are wiped. Throws RangeError on a closed or full epoch.
 */
export function sealInEpoch(epoch: LogEpoch, record: Uint8Array): Uint8Array {
  assertBytes(record, "record");
  if (!epoch.chainKey) throw new RangeError("the log epoch is closed");
  if (epoch.next >= EPOCH_MAX_RECORDS) throw new RangeError(`a log epoch holds at most ${EPOCH_MAX_RECORDS} records`);
  const index = epoch.next;
  const step = kdfCk(epoch.chainKey);
  wipe(epoch.chainKey);
  epoch.chainKey = step.ck;
  epoch.next += 1;
  const box = nacl.secretbox(record, epochNonce(index, epoch.ephemeralPublicKey), step.mk);
  wipe(step.mk);
  return concatBytes(Uint8Array.of(SEALED_EPOCH_VERSION, KIND.sealedRecord), epoch.ephemeralPublicKey, u32be(index), box);
}

export interface EpochRecordHeader {
  ephemeralPublicKey: Uint8Array;
  index: number;
  box: Uint8Array;
}

/** The header of a version-2 record, or null when the bytes are not one (or name an index no epoch reaches). */
export function parseEpochRecord(sealed: Uint8Array): EpochRecordHeader | null {
  if (sealed.length < SEALED_EPOCH_OVERHEAD || sealed[0] !== SEALED_EPOCH_VERSION || sealed[1] !== KIND.sealedRecord) return null;
  const index = readU32be(sealed, 34);
  if (index >= EPOCH_MAX_RECORDS) return null;
  return { ephemeralPublicKey: sealed.subarray(2, 34), index, box: sealed.subarray(EPOCH_HEADER_LENGTH) };
}
