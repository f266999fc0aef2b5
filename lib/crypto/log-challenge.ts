// Proof of the log passphrase without sending it (docs/protocol.md "Proof of
// the passphrase"). The home relay issues a one-time challenge naming the
// operation, itself, the requesting device, a validity window and the secure
// channel's session id; the requester checks every field against what it
// asked for and whom it dialled before it signs, and the home accepts the
// signature only for that challenge, on that channel, once. A proof is
// therefore good for one request, on one channel, to one home: relayed by a
// third device, it names the wrong channel and devices and is refused.
import nacl from "tweetnacl";
import { assertBytes, concatBytes, equalBytes, readU64be, u64be, utf8Decode, utf8Encode } from "./bytes";
import { KIND, LABEL, PROTOCOL_VERSION } from "./constants";
import { CryptoError, type LogErrorCode } from "./errors";
import { ed25519VerifySync } from "./primitives";
import { assertNow, assertRandom, draw, type RandomSource } from "./random";

export const MAX_LOG_DEVICE_ID_BYTES = 128;
export const DEFAULT_CHALLENGE_TTL_MS = 60_000;
/** The longest validity window a requester signs. */
export const MAX_CHALLENGE_TTL_MS = 120_000;
/** How far the requester's clock may differ from the home's before a challenge is refused as expired. */
export const LOG_CLOCK_SKEW_MS = 60_000;
export const SESSION_ID_BYTES = 32;

/** The operation byte: what the proof authorises. */
export const LOG_OP = { retrieve: 0x01, clear: 0x02 } as const;
export type LogChallengeOp = keyof typeof LOG_OP;

// version, kind, op, nonce, issuedAt, expiresAt, sessionId
const FIXED = 1 + 1 + 1 + 32 + 8 + 8 + SESSION_ID_BYTES;

export interface LogChallenge {
  op: LogChallengeOp;
  nonce: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  /** The secure channel's transcript hash (its session id), as both ends computed it. */
  sessionId: Uint8Array;
  requesterDeviceId: string;
  homeDeviceId: string;
}

/** What one side expects a challenge to say: the other fields of a LogChallenge. */
export interface ChallengeExpectation {
  op: LogChallengeOp;
  sessionId: Uint8Array;
  requesterDeviceId: string;
  homeDeviceId: string;
  now: number;
}

function text(value: string, name: string): Uint8Array {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string`);
  const bytes = utf8Encode(value);
  if (bytes.length < 1 || bytes.length > MAX_LOG_DEVICE_ID_BYTES) throw new RangeError(`${name} must be 1..${MAX_LOG_DEVICE_ID_BYTES} UTF-8 bytes`);
  return bytes;
}

function opByte(op: LogChallengeOp): number {
  const byte = LOG_OP[op];
  if (byte === undefined) throw new RangeError("op must be retrieve or clear");
  return byte;
}

export function encodeLogChallenge(c: LogChallenge): Uint8Array {
  assertBytes(c.nonce, "nonce", 32);
  assertBytes(c.sessionId, "sessionId", SESSION_ID_BYTES);
  if (!(c.expiresAt > c.issuedAt)) throw new RangeError("expiresAt must be after issuedAt");
  const req = text(c.requesterDeviceId, "requesterDeviceId");
  const home = text(c.homeDeviceId, "homeDeviceId");
  return concatBytes(
    Uint8Array.of(PROTOCOL_VERSION, KIND.logChallenge, opByte(c.op)),
    c.nonce,
    u64be(c.issuedAt),
    u64be(c.expiresAt),
    c.sessionId,
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
  const op = (Object.keys(LOG_OP) as LogChallengeOp[]).find((k) => LOG_OP[k] === bytes[2]);
  if (!op) throw new CryptoError("MALFORMED", "challenge has an unknown operation");
  const issuedAt = readU64be(bytes, 35);
  const expiresAt = readU64be(bytes, 43);
  if (Number.isNaN(issuedAt) || Number.isNaN(expiresAt) || expiresAt <= issuedAt) throw new CryptoError("MALFORMED", "challenge times are invalid");
  const req = readId(bytes, FIXED);
  const home = readId(bytes, req.end);
  if (home.end !== bytes.length) throw new CryptoError("MALFORMED", "challenge has trailing bytes");
  return { op, nonce: bytes.slice(3, 35), issuedAt, expiresAt, sessionId: bytes.slice(51, FIXED), requesterDeviceId: req.id, homeDeviceId: home.id };
}

/** Issued by the home relay; draws 32 random bytes. Keep it with its channel and accept one proof for it at most. */
export function createLogChallenge(opts: Omit<ChallengeExpectation, "now"> & { now: number; random: RandomSource; ttlMs?: number }): {
  challenge: Uint8Array;
  decoded: LogChallenge;
} {
  assertNow(opts?.now);
  assertRandom(opts.random);
  const ttl = opts.ttlMs ?? DEFAULT_CHALLENGE_TTL_MS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > MAX_CHALLENGE_TTL_MS) throw new RangeError(`ttlMs must be an integer in 1..${MAX_CHALLENGE_TTL_MS}`);
  const decoded: LogChallenge = {
    op: opts.op,
    nonce: draw(opts.random, 32),
    issuedAt: opts.now,
    expiresAt: opts.now + ttl,
    sessionId: opts.sessionId,
    requesterDeviceId: opts.requesterDeviceId,
    homeDeviceId: opts.homeDeviceId,
  };
  const challenge = encodeLogChallenge(decoded);
  return { challenge, decoded: { ...decoded, sessionId: decoded.sessionId.slice() } };
}

function assertExpectation(e: ChallengeExpectation): void {
  if (typeof e !== "object" || e === null) throw new TypeError("expected must be an object");
  opByte(e.op);
  assertBytes(e.sessionId, "expected.sessionId", SESSION_ID_BYTES);
  text(e.requesterDeviceId, "expected.requesterDeviceId");
  text(e.homeDeviceId, "expected.homeDeviceId");
  assertNow(e.now);
}

/** True when the challenge names another operation, requester, home or channel than expected. */
function namesOthers(c: LogChallenge, e: ChallengeExpectation): boolean {
  return c.op !== e.op || c.requesterDeviceId !== e.requesterDeviceId || c.homeDeviceId !== e.homeDeviceId || !equalBytes(c.sessionId, e.sessionId);
}

/**
 * The requester's check, before it derives keys or signs: the challenge must
 * name the operation it asked for, itself, the home device it dialled and the
 * channel it asked on, and be valid now give or take LOG_CLOCK_SKEW_MS, with
 * a window no longer than MAX_CHALLENGE_TTL_MS. Throws CryptoError MALFORMED,
 * CHALLENGE_MISMATCH or CHALLENGE_EXPIRED.
 */
export function checkLogChallenge(challenge: Uint8Array, expected: ChallengeExpectation): LogChallenge {
  assertExpectation(expected);
  const c = decodeLogChallenge(challenge);
  if (namesOthers(c, expected)) throw new CryptoError("CHALLENGE_MISMATCH", "the challenge is for another operation, device or channel");
  const now = expected.now;
  if (c.expiresAt - c.issuedAt > MAX_CHALLENGE_TTL_MS || now >= c.expiresAt + LOG_CLOCK_SKEW_MS || c.issuedAt > now + LOG_CLOCK_SKEW_MS) {
    throw new CryptoError("CHALLENGE_EXPIRED", "the challenge is not valid now (or the two clocks differ by more than a minute)");
  }
  return c;
}

function signedBytes(challenge: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(LABEL.logProof), Uint8Array.of(0), challenge);
}

/**
 * The requester's answer: an Ed25519 signature (64 bytes) over the labelled
 * challenge, made only after checkLogChallenge passed. It signs every byte of
 * the challenge, so operation, devices, window and channel are all bound.
 */
export function proveLogAccess(challenge: Uint8Array, authoritySecretKey: Uint8Array, expected: ChallengeExpectation): Uint8Array {
  assertBytes(authoritySecretKey, "authoritySecretKey", 64);
  checkLogChallenge(challenge, expected);
  return nacl.sign.detached(signedBytes(challenge), authoritySecretKey);
}

export type VerifyResult = { ok: true; challenge: LogChallenge } | { ok: false; code: LogErrorCode };

/**
 * The home relay's check: the proof verifies under the stored authority key,
 * the challenge is unexpired by the home's own clock (no skew allowed) and
 * names exactly the expected operation, devices and channel. The caller must
 * also hold this challenge as one it issued on this channel and not yet used.
 */
export function verifyLogAccess(challenge: Uint8Array, proof: Uint8Array, authorityPublicKey: Uint8Array, expected: ChallengeExpectation): VerifyResult {
  assertBytes(authorityPublicKey, "authorityPublicKey", 32);
  assertBytes(proof, "proof");
  assertExpectation(expected);
  let decoded: LogChallenge;
  try {
    decoded = decodeLogChallenge(challenge);
  } catch {
    return { ok: false, code: "MALFORMED" };
  }
  if (proof.length !== 64 || !ed25519VerifySync(authorityPublicKey, signedBytes(challenge), proof)) {
    return { ok: false, code: "PROOF_INVALID" };
  }
  if (expected.now >= decoded.expiresAt || expected.now < decoded.issuedAt) return { ok: false, code: "CHALLENGE_EXPIRED" };
  if (namesOthers(decoded, expected)) return { ok: false, code: "CHALLENGE_MISMATCH" };
  return { ok: true, challenge: decoded };
}
