// The W Ratchet's time rule (docs/protocol.md "Rekey"), our addition to the
// Double Ratchet. A DH ratchet step happens only when a new remote key
// arrives, so a silent peer would leave our sending chain unchanged forever.
// When our sending chain is rotateMs old we send a rekey request; it carries
// our ratchet key, and the peer answers with a message carrying its own, which
// is always new to us and so renews our sending chain. Whatever the peer's
// chain age, its own timer renews its chain the same way.
import { assertNow } from "./random";
import { encryptFrame, sessionExpired } from "./ratchet";
import { FLAG } from "./message-format";
import { rekeyAnswerLimitMs, type Session } from "./session";

/** How long, in ms, until rekeyDue turns true (0 when it already is). */
export function msUntilRekey(session: Session, now: number): number {
  assertNow(now);
  if (session.rekeyAnswerDue) return 0;
  const chainDue = session.sendingChainSince + session.config.rotateMs;
  const retryDue = session.rekeyRequestedAt === null ? 0 : session.rekeyRequestedAt + session.config.rotateMs;
  return Math.max(0, chainDue - now, retryDue - now);
}

/**
 * True when createRekey should be called: the peer asked us for a rekey, or
 * our sending chain is rotateMs old and no request of ours is pending (an
 * unanswered request is repeated after another rotateMs). False once expired.
 */
export function rekeyDue(session: Session, now: number): boolean {
  if (sessionExpired(session, now)) return false;
  return msUntilRekey(session, now) === 0;
}

/**
 * Returns the wire bytes of a rekey frame. It is an answer when the peer
 * asked for one and our own sending chain is younger than rotateMs; a request
 * otherwise, including when we answer while our own chain is old too (the
 * request carries our key, so it also answers, and the peer's reply renews
 * our chain: at most three frames renew both chains). Its body is empty and
 * it does not count as application activity for idle expiry. Mutates the session.
 */
export function createRekey(session: Session, now: number): Uint8Array {
  assertNow(now);
  const ownChainOld = now - session.sendingChainSince >= session.config.rotateMs;
  const flags = session.rekeyAnswerDue && !ownChainOld ? FLAG.rekeyAnswer : FLAG.rekeyRequest;
  return encryptFrame(session, new Uint8Array(0), flags, now);
}

/**
 * The W Ratchet's sender rule: true once a rekey request of ours has gone
 * unanswered for REKEY_PERIODS·rotateMs. The answer always renews our
 * sending chain (see "Why it converges"), so a chain still pending after two
 * periods means the peer ignores the rotation: close the channel and make a
 * new handshake.
 */
export function rekeyOverdue(session: Session, now: number): boolean {
  assertNow(now);
  return session.rekeyPendingSince !== null && now - session.rekeyPendingSince >= rekeyAnswerLimitMs(session.config);
}

/** ms until sessionExpired turns true (0 once it is). */
export function msUntilExpired(session: Session, now: number): number {
  assertNow(now);
  return Math.max(0, session.lastDataAt + session.config.idleMs + 1 - now);
}

/**
 * When the caller's loop must look again: the first of rekeyDue, rekeyOverdue
 * and sessionExpired to come true. 0 when one already is.
 */
export function msUntilNextCheck(session: Session, now: number): number {
  assertNow(now);
  const overdue = session.rekeyPendingSince === null ? Infinity : Math.max(0, session.rekeyPendingSince + rekeyAnswerLimitMs(session.config) - now);
  return Math.min(msUntilRekey(session, now), overdue, msUntilExpired(session, now));
}
