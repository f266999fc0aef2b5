// Session state as plain JSON (base64 for bytes) so it can be stored in
// IndexedDB after every change and survive a page reload without loss.
import { assertBytes, equalBytes, fromBase64, toBase64 } from "./bytes";
import { dhKeyPairFromSecret } from "./dh";
import { checkConfig, skippedKeyId, type PeerInfo, type Session, type SkippedKey } from "./session";

export interface PeerInfoJSON {
  nickname: string;
  deviceId: string;
  signPublicKey: string;
}

export interface SessionJSON {
  v: 1;
  role: "alice" | "bob";
  sessionId: string;
  ad: string;
  local: PeerInfoJSON;
  remote: PeerInfoJSON;
  rk: string;
  dhs: { publicKey: string; secretKey: string };
  dhr: string | null;
  cks: string;
  ckr: string | null;
  ns: number;
  nr: number;
  pn: number;
  skipped: { dh: string; n: number; mk: string; storedAt: number; chainSince: number }[];
  createdAt: number;
  lastDataAt: number;
  sendingChainSince: number;
  rekeyRequestedAt: number | null;
  rekeyPendingSince: number | null;
  receivingChainSince: number | null;
  rekeyAnswerDue: boolean;
  config: { rotateMs: number; skippedKeyTtlMs: number; idleMs: number; rekeyGraceMs: number };
}

const b64 = toBase64;

export function sessionToJSON(s: Session): SessionJSON {
  const peer = (p: PeerInfo): PeerInfoJSON => ({ nickname: p.nickname, deviceId: p.deviceId, signPublicKey: b64(p.signPublicKey) });
  return {
    v: 1,
    role: s.role,
    sessionId: b64(s.sessionId),
    ad: b64(s.ad),
    local: peer(s.local),
    remote: peer(s.remote),
    rk: b64(s.rk),
    dhs: { publicKey: b64(s.dhs.publicKey), secretKey: b64(s.dhs.secretKey) },
    dhr: s.dhr ? b64(s.dhr) : null,
    cks: b64(s.cks),
    ckr: s.ckr ? b64(s.ckr) : null,
    ns: s.ns,
    nr: s.nr,
    pn: s.pn,
    skipped: [...s.skipped.values()].map((k) => ({ dh: b64(k.dh), n: k.n, mk: b64(k.mk), storedAt: k.storedAt, chainSince: k.chainSince })),
    createdAt: s.createdAt,
    lastDataAt: s.lastDataAt,
    sendingChainSince: s.sendingChainSince,
    rekeyRequestedAt: s.rekeyRequestedAt,
    rekeyPendingSince: s.rekeyPendingSince,
    receivingChainSince: s.receivingChainSince,
    rekeyAnswerDue: s.rekeyAnswerDue,
    config: { ...s.config },
  };
}

function key(text: unknown, name: string, length = 32): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`session.${name} must be a base64 string`);
  const bytes = fromBase64(text);
  assertBytes(bytes, `session.${name}`, length);
  return bytes;
}

function int(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new TypeError(`session.${name} must be an integer in 0..${max}`);
  }
  return value;
}

function peerFrom(p: PeerInfoJSON, name: string): PeerInfo {
  if (typeof p !== "object" || p === null || typeof p.nickname !== "string" || typeof p.deviceId !== "string") {
    throw new TypeError(`session.${name} is malformed`);
  }
  return { nickname: p.nickname, deviceId: p.deviceId, signPublicKey: key(p.signPublicKey, `${name}.signPublicKey`) };
}

function skippedFrom(list: SessionJSON["skipped"]): Map<string, SkippedKey> {
  if (!Array.isArray(list)) throw new TypeError("session.skipped must be an array");
  const map = new Map<string, SkippedKey>();
  for (const k of list) {
    const entry = {
      dh: key(k?.dh, "skipped.dh"),
      n: int(k.n, "skipped.n", 0xffffffff),
      mk: key(k.mk, "skipped.mk"),
      storedAt: int(k.storedAt, "skipped.storedAt"),
      chainSince: int(k.chainSince, "skipped.chainSince"),
    };
    map.set(skippedKeyId(entry.dh, entry.n), entry);
  }
  return map;
}

function dhsFrom(dhs: SessionJSON["dhs"]): Session["dhs"] {
  const pair = dhKeyPairFromSecret(key(dhs?.secretKey, "dhs.secretKey"));
  if (!equalBytes(pair.publicKey, key(dhs.publicKey, "dhs.publicKey"))) throw new RangeError("session.dhs keys do not match");
  return pair;
}

/** Validates every field; throws TypeError/RangeError on anything malformed. */
export function sessionFromJSON(json: SessionJSON): Session {
  if (typeof json !== "object" || json === null || json.v !== 1) throw new TypeError("not a v1 SessionJSON");
  if (json.role !== "alice" && json.role !== "bob") throw new TypeError("session.role must be alice or bob");
  if (typeof json.rekeyAnswerDue !== "boolean") throw new TypeError("session.rekeyAnswerDue must be a boolean");
  return {
    version: 1,
    role: json.role,
    sessionId: key(json.sessionId, "sessionId"),
    ad: key(json.ad, "ad", 96),
    local: peerFrom(json.local, "local"),
    remote: peerFrom(json.remote, "remote"),
    rk: key(json.rk, "rk"),
    dhs: dhsFrom(json.dhs),
    dhr: json.dhr === null ? null : key(json.dhr, "dhr"),
    cks: key(json.cks, "cks"),
    ckr: json.ckr === null ? null : key(json.ckr, "ckr"),
    ns: int(json.ns, "ns", 0xffffffff),
    nr: int(json.nr, "nr", 0xffffffff),
    pn: int(json.pn, "pn", 0xffffffff),
    skipped: skippedFrom(json.skipped),
    createdAt: int(json.createdAt, "createdAt"),
    lastDataAt: int(json.lastDataAt, "lastDataAt"),
    sendingChainSince: int(json.sendingChainSince, "sendingChainSince"),
    rekeyRequestedAt: json.rekeyRequestedAt === null ? null : int(json.rekeyRequestedAt, "rekeyRequestedAt"),
    rekeyPendingSince: json.rekeyPendingSince === null ? null : int(json.rekeyPendingSince, "rekeyPendingSince"),
    receivingChainSince: json.receivingChainSince === null ? null : int(json.receivingChainSince, "receivingChainSince"),
    rekeyAnswerDue: json.rekeyAnswerDue,
    config: checkConfig(json.config),
  };
}
