// The Double Ratchet (Signal spec, revision 4, §3.4–§3.5). Encryption mutates
// the session; decryption runs on a copy and commits only on success, so a
// refused message leaves the state exactly as it was.
import { assertBytes, wipe } from "./bytes";
import { MAX_PLAINTEXT } from "./constants";
import { decrypt, encrypt } from "./aead";
import { dh, generateDh } from "./dh";
import { CryptoError, type DecryptErrorCode } from "./errors";
import { kdfCk, kdfRk } from "./kdf";
import { decodeMessage, encodeHeader, encodeMessage, FLAG, type Flag, type Header, type WireMessage } from "./message-format";
import { assertNow, assertRandom, type RandomSource } from "./random";
import { cloneSession, commitSession, peerChainLimitMs, wipeSession, type Session } from "./session";
import { expireSkippedKeys, skipMessageKeys, skippedKeyChainSince, trySkippedMessageKeys } from "./skipped-keys";

export type FrameKind = "data" | "rekey-request" | "rekey-answer";

export type DecryptResult =
  | {
      ok: true;
      kind: FrameKind;
      /** Application bytes; empty for rekey frames. */
      plaintext: Uint8Array;
      /** The sender's clock when it sent the message (authenticated). */
      sentAt: number;
      /** The peer asked for a rekey: send createRekey(session, now) (or any message) soon. */
      answerDue: boolean;
    }
  | { ok: false; code: DecryptErrorCode };

const KIND_OF: Record<Flag, FrameKind> = {
  [FLAG.data]: "data",
  [FLAG.rekeyRequest]: "rekey-request",
  [FLAG.rekeyAnswer]: "rekey-answer",
};

/** True once the session carried no application data for config.idleMs. */
export function sessionExpired(session: Session, now: number): boolean {
  assertNow(now);
  return now - session.lastDataAt > session.config.idleMs;
}

/** First half of spec §3.5 DHRatchet: the new receiving chain, which begins now (the receiver's rule). */
export function dhRatchetReceive(state: Session, header: Header, now: number): void {
  state.pn = state.ns;
  state.ns = 0;
  state.nr = 0;
  state.dhr = header.dh.slice();
  const recv = dh(state.dhs.secretKey, state.dhr);
  if (!recv) throw new CryptoError("DECRYPT_FAILED", "low-order ratchet key");
  const next = kdfRk(state.rk, recv);
  wipe(state.rk, state.ckr, recv);
  state.rk = next.rk;
  state.ckr = next.ck;
  state.receivingChainSince = now;
}

/** Second half of spec §3.5 DHRatchet: a new ratchet key and sending chain; the W Ratchet's clock restarts. */
export function dhRatchetSend(state: Session, random: RandomSource, now: number): void {
  if (!state.dhr) throw new TypeError("no remote ratchet key yet");
  wipe(state.dhs.secretKey);
  state.dhs = generateDh(random);
  const send = dh(state.dhs.secretKey, state.dhr) as Uint8Array;
  const next = kdfRk(state.rk, send);
  wipe(state.rk, state.cks, send);
  state.rk = next.rk;
  state.cks = next.ck;
  state.sendingChainSince = now;
  state.rekeyRequestedAt = null;
  state.rekeyPendingSince = null;
}

/** Spec §3.5 DHRatchet. */
export function dhRatchet(state: Session, header: Header, random: RandomSource, now: number): void {
  dhRatchetReceive(state, header, now);
  dhRatchetSend(state, random, now);
}

/** Spec §3.4 RatchetEncrypt with a flags byte; used for data and rekey frames. */
export function encryptFrame(session: Session, plaintext: Uint8Array, flags: Flag, now: number): Uint8Array {
  if (sessionExpired(session, now)) throw new CryptoError("SESSION_EXPIRED", "session idle for too long: handshake again");
  expireSkippedKeys(session, now);
  const step = kdfCk(session.cks);
  wipe(session.cks);
  session.cks = step.ck;
  const headerBytes = encodeHeader({ flags, dh: session.dhs.publicKey, pn: session.pn, n: session.ns, sentAt: now });
  session.ns += 1;
  const sealed = encrypt(step.mk, plaintext, session.ad, headerBytes);
  wipe(step.mk);
  session.rekeyAnswerDue = false;
  if (flags === FLAG.data) session.lastDataAt = now;
  if (flags === FLAG.rekeyRequest) {
    session.rekeyRequestedAt = now;
    session.rekeyPendingSince ??= now;
  }
  return encodeMessage(headerBytes, sealed.ciphertext, sealed.mac);
}

/** Encrypts one application frame; mutates the session (persist it afterwards). */
export function ratchetEncrypt(session: Session, plaintext: Uint8Array, now: number): Uint8Array {
  assertBytes(plaintext, "plaintext");
  assertNow(now);
  if (plaintext.length > MAX_PLAINTEXT) throw new RangeError(`plaintext longer than ${MAX_PLAINTEXT} bytes`);
  return encryptFrame(session, plaintext, FLAG.data, now);
}

/**
 * Spec §3.5 RatchetDecrypt on the draft. DHRatchet is split: its sending half
 * runs only once the message authenticated. The resulting state is the same
 * as the spec's, but a forged header costs one X25519 operation instead of
 * three and consumes no randomness.
 */
function decryptInto(draft: Session, msg: WireMessage, random: RandomSource, now: number): Uint8Array | null {
  const { header } = msg;
  const skippedKey = trySkippedMessageKeys(draft, header.dh, header.n);
  if (skippedKey) return decryptWith(draft, skippedKey, msg);
  const newRemoteKey = !draft.dhr || !equalKey(header.dh, draft.dhr);
  if (newRemoteKey) {
    skipMessageKeys(draft, header.pn, now);
    dhRatchetReceive(draft, header, now);
  }
  skipMessageKeys(draft, header.n, now);
  const step = kdfCk(draft.ckr as Uint8Array);
  wipe(draft.ckr);
  draft.ckr = step.ck;
  draft.nr += 1;
  const plaintext = decryptWith(draft, step.mk, msg);
  if (plaintext && newRemoteKey) dhRatchetSend(draft, random, now);
  return plaintext;
}

function decryptWith(draft: Session, mk: Uint8Array, msg: WireMessage): Uint8Array | null {
  const plaintext = decrypt(mk, msg, draft.ad, msg.headerBytes);
  wipe(mk);
  return plaintext;
}

/**
 * The W Ratchet's receiver rule (docs/protocol.md "Rekey"): a message on a
 * peer chain that began here more than REKEY_PERIODS·rotateMs + rekeyGraceMs
 * ago is refused. An honest peer renews its chain within about one period of
 * our answer, so only a peer that ignores the rotation gets here. Reads only
 * the public header and the clock, so it is no oracle.
 */
function onStaleChain(session: Session, header: Header, now: number): boolean {
  const stored = skippedKeyChainSince(session, header.dh, header.n);
  const current = session.dhr !== null && equalKey(header.dh, session.dhr) ? session.receivingChainSince : null;
  const since = stored ?? current;
  return since !== null && now - since > peerChainLimitMs(session.config);
}

function equalKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Spec §3.5 RatchetDecrypt. On success the session is updated in place; on
 * any failure it is left exactly as before. Draws 32 random bytes when the
 * header carries a new ratchet key.
 */
export function ratchetDecrypt(session: Session, wire: Uint8Array, now: number, random: RandomSource): DecryptResult {
  assertBytes(wire, "wire");
  assertNow(now);
  assertRandom(random);
  if (sessionExpired(session, now)) return { ok: false, code: "SESSION_EXPIRED" };
  let msg: WireMessage;
  try {
    msg = decodeMessage(wire);
  } catch (e) {
    if (e instanceof CryptoError) return { ok: false, code: "MALFORMED" };
    throw e;
  }
  if (onStaleChain(session, msg.header, now)) return { ok: false, code: "STALE_CHAIN" };
  const draft = cloneSession(session);
  try {
    expireSkippedKeys(draft, now);
    const plaintext = decryptInto(draft, msg, random, now);
    if (!plaintext) return fail(draft, "DECRYPT_FAILED");
    const kind = KIND_OF[msg.header.flags];
    if (kind !== "data" && plaintext.length !== 0) return fail(draft, "MALFORMED");
    if (kind === "data") draft.lastDataAt = now;
    if (kind === "rekey-request") draft.rekeyAnswerDue = true;
    commitSession(session, draft);
    return { ok: true, kind, plaintext, sentAt: msg.header.sentAt, answerDue: session.rekeyAnswerDue };
  } catch (e) {
    if (e instanceof CryptoError && (e.code === "TOO_MANY_SKIPPED" || e.code === "DECRYPT_FAILED")) return fail(draft, e.code);
    wipeSession(draft);
    throw e;
  }
}

function fail(draft: Session, code: DecryptErrorCode): DecryptResult {
  wipeSession(draft);
  return { ok: false, code };
}
