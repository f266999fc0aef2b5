// Proof of the log passphrase without sending it: the home relay issues a
// one-time challenge bound to both device ids and an expiry; the requester
// signs it with the passphrase-derived authority key. The signed bytes start
// with a context label, so a proof is good for this purpose and this
// challenge only.
import nacl from "tweetnacl";
import { assertBytes, concatBytes, readU64be, u64be, utf8Decode, utf8Encode } from "./bytes";
import { KIND, LABEL, PROTOCOL_VERSION } from "./constants";
import { CryptoError, type LogErrorCode } from "./errors";
import { assertNow, assertRandom, draw, type RandomSource } from "./random";

export const MAX_LOG_DEVICE_ID_BYTES = 128;
export const DEFAULT_CHALLENGE_TTL_MS = 60_000;
const FIXED = 2 + 32 + 8 + 8;

export interface LogChallenge {
  nonce: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  requesterDeviceId: string;
  homeDeviceId: string;
}

function text(value: string, name: string): Uint8Array {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  const bytes = utf8Encode(value);
  if (bytes.length < 1 || bytes.length > MAX_LOG_DEVICE_ID_BYTES) throw new RangeError(`${name} must be 1..${MAX_LOG_DEVICE_ID_BYTES} UTF-8 bytes`);
  return bytes;
}

export function encodeLogChallenge(c: LogChallenge): Uint8Array {
  assertBytes(c.nonce, "nonce", 32);
  if (!(c.expiresAt > c.issuedAt)) throw new RangeError("expiresAt must be after issuedAt");
  const req = text(c.requesterDeviceId, "requesterDeviceId");
  const home = text(c.homeDeviceId, "homeDeviceId");
  return concatBytes(
    Uint8Array.of(PROTOCOL_VERSION, KIND.logChallenge),
    c.nonce,
    u64be(c.issuedAt),
    u64be(c.expiresAt),
    Uint8Array.of(req.length),
    req,
    Uint8Array.of(home.length),
    home,
  );
}

function readId(bytes: Uint8Array, offset: number): { id: string; end: number } {
  const len = bytes[offset];
  if (len === undefined || len < 1 || len > MAX_LOG_DEVICE_ID_BYTES || offset + 1 + len > bytes.length) {
    throw new CryptoError("MALFORMED", "challenge has a bad device id length");
  }
  try {
    return { id: utf8Decode(bytes.subarray(offset + 1, offset + 1 + len)), end: offset + 1 + len };
  } catch {
    throw new CryptoError("MALFORMED", "challenge device id is not UTF-8");
  }
}

/** Throws CryptoError MALFORMED for anything but a well-formed challenge. */
export function decodeLogChallenge(bytes: Uint8Array): LogChallenge {
  assertBytes(bytes, "challenge");
  if (bytes.length < FIXED + 4 || bytes[0] !== PROTOCOL_VERSION || bytes[1] !== KIND.logChallenge) {
    throw new CryptoError("MALFORMED", "not a log challenge");
  }
  const issuedAt = readU64be(bytes, 34);
  const expiresAt = readU64be(bytes, 42);
  if (Number.isNaN(issuedAt) || Number.isNaN(expiresAt) || expiresAt <= issuedAt) throw new CryptoError("MALFORMED", "challenge times are invalid");
  const req = readId(bytes, FIXED);
  const home = readId(bytes, req.end);
  if (home.end !== bytes.length) throw new CryptoError("MALFORMED", "challenge has trailing bytes");
  return { nonce: bytes.slice(2, 34), issuedAt, expiresAt, requesterDeviceId: req.id, homeDeviceId: home.id };
}

/** Issued by the home relay; draws 32 random bytes. Remember it and accept one proof for it at most. */
export function createLogChallenge(opts: {
  requesterDeviceId: string;
  homeDeviceId: string;
  now: number;
  random: RandomSource;
  ttlMs?: number;
}): { challenge: Uint8Array; decoded: LogChallenge } {
  assertNow(opts?.now);
  assertRandom(opts.random);
  const ttl = opts.ttlMs ?? DEFAULT_CHALLENGE_TTL_MS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new RangeError("ttlMs must be a positive integer");
  const decoded: LogChallenge = {
    nonce: draw(opts.random, 32),
    issuedAt: opts.now,
    expiresAt: opts.now + ttl,
    requesterDeviceId: opts.requesterDeviceId,
    homeDeviceId: opts.homeDeviceId,
  };
  return { challenge: encodeLogChallenge(decoded), decoded };
}

function signedBytes(challenge: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(LABEL.logProof), Uint8Array.of(0), challenge);
}

/** The requester's answer: an Ed25519 signature (64 bytes) over the labelled challenge. */
export function proveLogAccess(challenge: Uint8Array, authoritySecretKey: Uint8Array): Uint8Array {
  assertBytes(authoritySecretKey, "authoritySecretKey", 64);
  decodeLogChallenge(challenge);
  return nacl.sign.detached(signedBytes(challenge), authoritySecretKey);
}

export type VerifyResult = { ok: true; challenge: LogChallenge } | { ok: false; code: LogErrorCode };

/**
 * The home relay's check: the proof verifies under the stored authority key,
 * the challenge is unexpired and names the expected devices. The caller must
 * also check that it issued this challenge and has not accepted it before.
 */
export function verifyLogAccess(
  challenge: Uint8Array,
  proof: Uint8Array,
  authorityPublicKey: Uint8Array,
  opts: { now: number; requesterDeviceId?: string; homeDeviceId?: string },
): VerifyResult {
  assertBytes(authorityPublicKey, "authorityPublicKey", 32);
  assertBytes(proof, "proof");
  assertNow(opts?.now);
  let decoded: LogChallenge;
  try {
    decoded = decodeLogChallenge(challenge);
  } catch {
    return { ok: false, code: "MALFORMED" };
  }
  if (proof.length !== 64 || !nacl.sign.detached.verify(signedBytes(challenge), proof, authorityPublicKey)) {
    return { ok: false, code: "PROOF_INVALID" };
  }
  if (opts.now >= decoded.expiresAt || opts.now < decoded.issuedAt) return { ok: false, code: "CHALLENGE_EXPIRED" };
  if (
    (opts.requesterDeviceId !== undefined && opts.requesterDeviceId !== decoded.requesterDeviceId) ||
    (opts.homeDeviceId !== undefined && opts.homeDeviceId !== decoded.homeDeviceId)
  ) {
    return { ok: false, code: "CHALLENGE_MISMATCH" };
  }
  return { ok: true, challenge: decoded };
}
