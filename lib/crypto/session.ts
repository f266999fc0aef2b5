// Session state of the Double Ratchet (spec §3.2) plus the clock fields of the
// W Ratchet. Decryption works on a copy made by cloneSession and commits it
// with commitSession, so a refused message leaves the state untouched.
import { concatBytes, wipe } from "./bytes";
import { IDLE_MS, REKEY_GRACE_MS, REKEY_PERIODS, ROTATE_MS, SKIPPED_KEY_TTL_MS } from "./constants";
import { generateDhWith, wipeDhKeyPair, type DhKeyPair } from "./dh";
import { kdfRk } from "./kdf";
import type { Primitives } from "./primitives";
import type { RandomSource } from "./random";
import type { Role } from "./transcript";

export interface RatchetConfig {
  /** Force a DH round trip when our sending chain is this old (ms). */
  rotateMs: number;
  /** Delete skipped message keys this long after storing them (ms). */
  skippedKeyTtlMs: number;
  /** Refuse to use a session that carried no application data this long (ms). */
  idleMs: number;
  /** Slack on top of REKEY_PERIODS·rotateMs before a peer's chain is refused as stale (ms). */
  rekeyGraceMs: number;
}

export const DEFAULT_CONFIG: Readonly<RatchetConfig> = Object.freeze({
  rotateMs: ROTATE_MS,
  skippedKeyTtlMs: SKIPPED_KEY_TTL_MS,
  idleMs: IDLE_MS,
  rekeyGraceMs: REKEY_GRACE_MS,
});

/** Validates a config read from options or storage. */
export function checkConfig(c: RatchetConfig): RatchetConfig {
  if (typeof c !== "object" || c === null) throw new TypeError("config must be an object");
  for (const k of ["rotateMs", "skippedKeyTtlMs", "idleMs", "rekeyGraceMs"] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] <= 0) throw new RangeError(`config.${k} must be a positive integer`);
  }
  return { rotateMs: c.rotateMs, skippedKeyTtlMs: c.skippedKeyTtlMs, idleMs: c.idleMs, rekeyGraceMs: c.rekeyGraceMs };
}

/** The receiver's rule: the oldest a peer's sending chain may be, counted from when it began here. */
export function peerChainLimitMs(config: RatchetConfig): number {
  return REKEY_PERIODS * config.rotateMs + config.rekeyGraceMs;
}

/** The sender's rule: how long our rekey request may go unanswered. */
export function rekeyAnswerLimitMs(config: RatchetConfig): number {
  return REKEY_PERIODS * config.rotateMs;
}

export interface PeerInfo {
  nickname: string;
  deviceId: string;
  signPublicKey: Uint8Array;
}

export interface SkippedKey {
  dh: Uint8Array;
  n: number;
  mk: Uint8Array;
  storedAt: number;
  /** When the receiving chain this key belongs to began (its receivingChainSince). */
  chainSince: number;
}

export interface Session {
  version: 1;
  role: Role;
  /** Transcript hash of the handshake that created the session. */
  sessionId: Uint8Array;
  /** Associated data of every message: IK_alice || IK_bob || sessionId (spec §3.3, §5.2). */
  ad: Uint8Array;
  local: PeerInfo;
  remote: PeerInfo;
  rk: Uint8Array;
  dhs: DhKeyPair;
  dhr: Uint8Array | null;
  cks: Uint8Array;
  ckr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  /** MKSKIPPED, keyed by skippedKeyId; Map order is storage order, oldest first. */
  skipped: Map<string, SkippedKey>;
  createdAt: number;
  /** Last time application data went either way (idle expiry). */
  lastDataAt: number;
  /** When our current sending chain was created (rekey rule). */
  sendingChainSince: number;
  /** When we last sent a rekey request that is not yet answered. */
  rekeyRequestedAt: number | null;
  /** When we sent the first rekey request of the current sending chain (the sender's rule). */
  rekeyPendingSince: number | null;
  /** When the current receiving chain began here (the receiver's rule); null before Bob hears from Alice. */
  receivingChainSince: number | null;
  /** The peer asked for a rekey and we have not sent anything since. */
  rekeyAnswerDue: boolean;
  config: RatchetConfig;
}

export interface SessionSeed {
  role: Role;
  sessionId: Uint8Array;
  local: PeerInfo;
  remote: PeerInfo;
  rootKey: Uint8Array;
  /** Bob's first sending chain key, Alice's first receiving chain key. */
  bobChainKey: Uint8Array;
  /** Our handshake ephemeral pair: it is Bob's first ratchet key. */
  ephemeral: DhKeyPair;
  remoteEphemeral: Uint8Array;
  now: number;
  config: RatchetConfig;
}

export function skippedKeyId(dhPub: Uint8Array, n: number): string {
  let s = "";
  for (let i = 0; i < dhPub.length; i++) s += (dhPub[i] as number).toString(16).padStart(2, "0");
  return `${s}:${n}`;
}

/**
 * Like RatchetInitAlice/RatchetInitBob (spec §3.3), with the handshake's
 * ephemerals standing in for Bob's signed prekey: Bob's ephemeral is his first
 * ratchet key and already has a sending chain, so either side may speak first.
 */
export async function initSession(seed: SessionSeed, random: RandomSource, primitives: Primitives): Promise<Session> {
  const alice = seed.role === "alice";
  const signKeys = alice ? [seed.local.signPublicKey, seed.remote.signPublicKey] : [seed.remote.signPublicKey, seed.local.signPublicKey];
  const base = {
    version: 1 as const,
    role: seed.role,
    sessionId: seed.sessionId.slice(),
    ad: concatBytes(...(signKeys as [Uint8Array, Uint8Array]), seed.sessionId),
    local: copyPeer(seed.local),
    remote: copyPeer(seed.remote),
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: new Map<string, SkippedKey>(),
    createdAt: seed.now,
    lastDataAt: seed.now,
    sendingChainSince: seed.now,
    rekeyRequestedAt: null,
    rekeyPendingSince: null,
    rekeyAnswerDue: false,
    config: { ...seed.config },
  };
  if (!alice) {
    const dhs = copyPair(seed.ephemeral);
    return { ...base, rk: seed.rootKey.slice(), dhs, dhr: null, cks: seed.bobChainKey.slice(), ckr: null, receivingChainSince: null };
  }
  const dhs = await generateDhWith(random, primitives);
  const shared = await primitives.x25519(dhs, seed.remoteEphemeral);
  if (!shared) {
    wipeDhKeyPair(dhs);
    throw new RangeError("remote ephemeral key is of low order");
  }
  const next = kdfRk(seed.rootKey, shared);
  wipe(shared);
  return { ...base, rk: next.rk, dhs, dhr: seed.remoteEphemeral.slice(), cks: next.ck, ckr: seed.bobChainKey.slice(), receivingChainSince: seed.now };
}

function copyPeer(p: PeerInfo): PeerInfo {
  return { nickname: p.nickname, deviceId: p.deviceId, signPublicKey: p.signPublicKey.slice() };
}

const copy = (a: Uint8Array | null): Uint8Array | null => (a ? a.slice() : null);
/** A copy of the bytes; the native handle (immutable) is shared. */
const copyPair = (p: DhKeyPair): DhKeyPair => ({ publicKey: p.publicKey.slice(), secretKey: p.secretKey.slice(), handle: p.handle });

export function cloneSession(s: Session): Session {
  const skipped = new Map<string, SkippedKey>();
  for (const [id, k] of s.skipped) skipped.set(id, { dh: k.dh.slice(), n: k.n, mk: k.mk.slice(), storedAt: k.storedAt, chainSince: k.chainSince });
  return {
    ...s,
    sessionId: s.sessionId.slice(),
    ad: s.ad.slice(),
    local: copyPeer(s.local),
    remote: copyPeer(s.remote),
    rk: s.rk.slice(),
    dhs: copyPair(s.dhs),
    dhr: copy(s.dhr),
    cks: s.cks.slice(),
    ckr: copy(s.ckr),
    skipped,
    config: { ...s.config },
  };
}

/** Zeroes every secret the state holds (a closed channel's session, a refused draft). */
export function wipeSession(s: Session): void {
  wipe(s.rk, s.cks, s.ckr);
  wipeDhKeyPair(s.dhs);
  for (const k of s.skipped.values()) wipe(k.mk);
}

/** Moves draft into target in place (the caller keeps its reference) and wipes the old secrets. */
export function commitSession(target: Session, draft: Session): void {
  wipeSession(target);
  Object.assign(target, draft);
}
