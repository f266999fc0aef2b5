// The Double Ratchet (Signal spec, revision 4, §3.4–§3.5): encryption, and
// the two halves of the DH ratchet step that decryption (ratchet-decrypt.ts)
// runs once their X25519 outputs are known. Encryption has no DH and is
// synchronous; it mutates the session.
import { assertBytes, wipe } from "./bytes";
import { MAX_PLAINTEXT } from "./constants";
import { encrypt } from "./aead";
import { wipeDhKeyPair, type DhKeyPair } from "./dh";
import { CryptoError } from "./errors";
import { kdfCk, kdfRk } from "./kdf";
import { encodeHeader, encodeMessage, FLAG, type Flag, type Header } from "./message-format";
import { assertNow } from "./random";
import type { Session } from "./session";
import { expireSkippedKeys } from "./skipped-keys";

/** True once the session carried no application data for config.idleMs. */
export function sessionExpired(session: Session, now: number): boolean {
  assertNow(now);
  return now - session.lastDataAt > session.config.idleMs;
}

/** First half of spec §3.5 DHRatchet, with DH(DHs, header.dh) already computed: the new receiving chain, which begins now (the receiver's rule). */
export function dhRatchetReceive(state: Session, header: Header, now: number, recv: Uint8Array): void {
  state.pn = state.ns;
  state.ns = 0;
  state.nr = 0;
  state.dhr = header.dh.slice();
  const next = kdfRk(state.rk, recv);
  wipe(state.rk, state.ckr);
  state.rk = next.rk;
  state.ckr = next.ck;
  state.receivingChainSince = now;
}

/** Second half of spec §3.5 DHRatchet: the new ratchet key (drawn by the caller) and sending chain; the W Ratchet's clock restarts. */
export function dhRatchetSend(state: Session, next: { pair: DhKeyPair; send: Uint8Array }, now: number): void {
  if (!state.dhr) throw new TypeError("no remote ratchet key yet");
  wipeDhKeyPair(state.dhs);
  state.dhs = { publicKey: next.pair.publicKey.slice(), secretKey: next.pair.secretKey.slice(), handle: next.pair.handle };
  const chain = kdfRk(state.rk, next.send);
  wipe(state.rk, state.cks);
  state.rk = chain.rk;
  state.cks = chain.ck;
  state.sendingChainSince = now;
  state.rekeyRequestedAt = null;
  state.rekeyPendingSince = null;
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
