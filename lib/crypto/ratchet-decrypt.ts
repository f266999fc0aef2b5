// RatchetDecrypt (Signal spec, revision 4, §3.5) over asynchronous X25519:
// the DH outputs are awaited first, then a synchronous pass on a fresh draft
// of the session decrypts and, only on success, commits; a refused message
// leaves the state exactly as it was, and ratchetEncrypt may run meanwhile.
import { assertBytes, wipe } from "./bytes";
import { decrypt } from "./aead";
import { generateDhWith, wipeDhKeyPair, type DhKeyPair } from "./dh";
import { CryptoError, type DecryptErrorCode } from "./errors";
import { kdfCk } from "./kdf";
import { decodeMessage, FLAG, type Flag, type Header, type WireMessage } from "./message-format";
import { tweetnaclPrimitives, type Primitives } from "./primitives";
import { assertNow, assertRandom, type RandomSource } from "./random";
import { dhRatchetReceive, dhRatchetSend, sessionExpired } from "./ratchet";
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

/**
 * The DH outputs one decryption needs, computed (asynchronously, natively
 * where possible) before the synchronous pass that uses them. `ours` is the
 * ratchet public key the receiving DH was made with: if the session's key
 * has changed by the time the pass runs, the outputs are stale and dropped.
 */
interface DhSteps {
  ours: Uint8Array;
  recv: Uint8Array;
  /** The sending half: our next ratchet pair and X25519(pair, header.dh). */
  next?: { pair: DhKeyPair; send: Uint8Array };
}

type Pass =
  | { outcome: "plaintext"; plaintext: Uint8Array | null; draft: Session }
  | { outcome: "needs-receive-dh" }
  | { outcome: "needs-send-dh" };

/**
 * Spec §3.5 RatchetDecrypt as one synchronous pass on a fresh draft, with the
 * DH outputs given. It asks for what it lacks instead: the receiving DH when
 * the header brings a new ratchet key, and, only once the message has
 * authenticated, the sending half. So the state a pass commits is computed
 * from the session as it is at that moment (messages encrypted while a DH
 * was being computed included), a forged header costs one X25519, and no
 * randomness is drawn for it. The committed state is the spec's.
 */
function decryptPass(draft: Session, msg: WireMessage, now: number, steps: DhSteps | null): Pass {
  const { header } = msg;
  expireSkippedKeys(draft, now);
  const skippedKey = trySkippedMessageKeys(draft, header.dh, header.n);
  if (skippedKey) return { outcome: "plaintext", plaintext: decryptWith(draft, skippedKey, msg), draft };
  const newRemoteKey = !draft.dhr || !equalKey(header.dh, draft.dhr);
  if (newRemoteKey) {
    if (!steps || !equalKey(steps.ours, draft.dhs.publicKey)) return drop(draft, { outcome: "needs-receive-dh" });
    skipMessageKeys(draft, header.pn, now);
    dhRatchetReceive(draft, header, now, steps.recv);
  }
  skipMessageKeys(draft, header.n, now);
  const step = kdfCk(draft.ckr as Uint8Array);
  wipe(draft.ckr);
  draft.ckr = step.ck;
  draft.nr += 1;
  const plaintext = decryptWith(draft, step.mk, msg);
  if (plaintext && newRemoteKey) {
    if (!steps?.next) {
      wipe(plaintext);
      return drop(draft, { outcome: "needs-send-dh" });
    }
    dhRatchetSend(draft, steps.next, now);
  }
  return { outcome: "plaintext", plaintext, draft };
}

function drop<P extends Pass>(draft: Session, pass: P): P {
  wipeSession(draft);
  return pass;
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

/** A decryption is at most four passes: plain, with the receiving DH, with both halves; one more if a key went stale. */
const MAX_PASSES = 4;

/**
 * Spec §3.5 RatchetDecrypt. On success the session is updated in place; on
 * any failure it is left exactly as before. Draws 32 random bytes when the
 * header carries a new ratchet key and the message authenticated. The X25519
 * steps run on `primitives` (default tweetnacl; the bytes are the same on
 * every path) and are awaited before the synchronous pass that changes the
 * session, so ratchetEncrypt may run on the session meanwhile. Two
 * decryptions on one session must not overlap: the caller serialises them.
 */
export async function ratchetDecrypt(
  session: Session,
  wire: Uint8Array,
  now: number,
  random: RandomSource,
  primitives: Primitives = tweetnaclPrimitives,
): Promise<DecryptResult> {
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
  let steps: DhSteps | null = null;
  try {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const result = runPass(session, msg, now, steps);
      if (result.outcome === "plaintext") return finish(session, result.draft, result.plaintext, msg, now);
      if (result.outcome === "needs-receive-dh") {
        wipeSteps(steps);
        const ours = session.dhs.publicKey.slice();
        const recv = await primitives.x25519(session.dhs, msg.header.dh);
        if (!recv) return { ok: false, code: "DECRYPT_FAILED" }; // a low-order ratchet key
        steps = { ours, recv };
      } else if (steps) {
        const pair = await generateDhWith(random, primitives);
        const send = await primitives.x25519(pair, msg.header.dh);
        if (!send) {
          wipeDhKeyPair(pair);
          return { ok: false, code: "DECRYPT_FAILED" };
        }
        steps.next = { pair, send };
      }
    }
    throw new TypeError("the session changed under ratchetDecrypt: serialise decryptions per session");
  } catch (e) {
    if (e instanceof CryptoError && (e.code === "TOO_MANY_SKIPPED" || e.code === "DECRYPT_FAILED")) return { ok: false, code: e.code };
    throw e;
  } finally {
    wipeSteps(steps);
  }
}

/** A pass on a fresh draft of the session as it is now; the draft is wiped if the pass throws. */
function runPass(session: Session, msg: WireMessage, now: number, steps: DhSteps | null): Pass {
  const draft = cloneSession(session);
  try {
    return decryptPass(draft, msg, now, steps);
  } catch (e) {
    wipeSession(draft);
    throw e;
  }
}

function finish(session: Session, draft: Session, plaintext: Uint8Array | null, msg: WireMessage, now: number): DecryptResult {
  if (!plaintext) return fail(draft, "DECRYPT_FAILED");
  const kind = KIND_OF[msg.header.flags];
  if (kind !== "data" && plaintext.length !== 0) return fail(draft, "MALFORMED");
  if (kind === "data") draft.lastDataAt = now;
  if (kind === "rekey-request") draft.rekeyAnswerDue = true;
  commitSession(session, draft);
  return { ok: true, kind, plaintext, sentAt: msg.header.sentAt, answerDue: session.rekeyAnswerDue };
}

function wipeSteps(steps: DhSteps | null): void {
  if (!steps) return;
  wipe(steps.recv, steps.next?.send);
  if (steps.next) wipeDhKeyPair(steps.next.pair);
}

function fail(draft: Session, code: DecryptErrorCode): DecryptResult {
  wipeSession(draft);
  return { ok: false, code };
}
