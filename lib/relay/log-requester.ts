import { fetchJson } from "@/lib/api/fetch-json";
import type { Connection, Connections } from "@/lib/chat/connections";
import { readPresence } from "@/lib/chat/presence-watch";
import { deriveLogKeys, fromBase64, proveLogAccess, toBase64, type LogKeys, type PassphraseKdfParams, type RandomSource } from "@/lib/crypto";
import type { Frame, LogOp, LogRefusal } from "@/lib/protocol";
import { decodeLogRecord, type LogRecord } from "./log-records";
import { recordOpener, type OpenRecords } from "./record-opener";

// The requesting side of retrieval and Clear (a phone, say): reach the
// account's home relay peer to peer, answer its challenge by signing with a
// key derived from the passphrase (which never leaves this device), then
// receive sealed records and open them here.

export const RESPONSE_TIMEOUT_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 30_000;

export type RelayFailure = LogRefusal | "no-home" | "home-offline" | "unreachable" | "timeout" | "disconnected";

export class RelayError extends Error {
  constructor(
    readonly reason: RelayFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "RelayError";
  }
}

const refusalText: Record<RelayFailure, string> = {
  "not-same-account": "The home relay refused: only devices of its own account may read or clear its logs.",
  "no-logs": "The home relay keeps no logs. Enable Local Message Logs on it first.",
  "bad-proof": "Wrong log passphrase.",
  replayed: "The home relay refused a repeated request.",
  expired: "The request expired. Try again.",
  "locked-out": "Too many wrong passphrases: the home relay refuses requests for a while.",
  busy: "The home relay is busy. Try again in a moment.",
  "no-home": "No device of this account is set as home relay.",
  "home-offline": "The home relay is offline. Open CommunisP on the home device.",
  unreachable: "Couldn't reach the home relay from this network. It is online, but no connection works between this network and the home's: a TURN server is needed.",
  timeout: "The home relay did not answer in time.",
  disconnected: "The connection to the home relay was lost.",
};

export function relayFailure(reason: RelayFailure, retryAfterMs?: number): RelayError {
  const minutes = retryAfterMs ? ` Try again in ${Math.ceil(retryAfterMs / 60_000)} minute(s).` : "";
  return new RelayError(reason, refusalText[reason] + minutes, retryAfterMs);
}

export interface LogRequestDeps {
  account: string;
  connections: Connections;
  random: RandomSource;
  /** Frames that arrive on any connection, for this request to pick its own. */
  frames: { on(listener: (event: { connection: Connection; frame: Frame }) => void): () => void };
}

export type Progress = { phase: "connecting" | "proving" | "receiving"; received: number; total: number | null };

/** The home relay device of `target` (own account by default) that is online now. */
async function findHome(account: string, target: string): Promise<string> {
  let homeId: string | undefined;
  if (target === account) {
    const { devices } = await fetchJson<{ devices: { id: string; home: boolean }[] }>("/api/devices");
    homeId = devices.find((d) => d.home)?.id;
    if (!homeId) throw relayFailure("no-home");
    if (!(await readPresence(target)).online.some((d) => d.deviceId === homeId)) throw relayFailure("home-offline");
  } else {
    homeId = (await readPresence(target)).online.find((d) => d.home)?.deviceId;
    if (!homeId) throw relayFailure("home-offline");
  }
  return homeId;
}

function readyConnection(deps: LogRequestDeps, target: string, deviceId: string): Promise<Connection> {
  const existing = deps.connections.of(target).find((c) => c.deviceId === deviceId && c.channel.isReady);
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(relayFailure("timeout"));
    }, CONNECT_TIMEOUT_MS);
    const off = () => {
      offReady();
      offUnreachable();
    };
    const offReady = deps.connections.ready.on((connection) => {
      if (connection.deviceId !== deviceId) return;
      clearTimeout(timer);
      off();
      resolve(connection);
    });
    // The home answered but no network path worked: not slow, not offline.
    const offUnreachable = deps.connections.unreachable.on((connection) => {
      if (connection.deviceId !== deviceId) return;
      clearTimeout(timer);
      off();
      reject(relayFailure("unreachable"));
    });
    deps.connections.dial(target, [deviceId]);
  });
}

/** Collects this request's frames in order, with a timeout per wait. */
class Inbox {
  private queue: Frame[] = [];
  private waiter: ((frame: Frame) => void) | null = null;
  private readonly off: () => void;
  private readonly offLost: () => void;
  private lost = false;

  constructor(deps: LogRequestDeps, connection: Connection, rid: string) {
    this.off = deps.frames.on(({ connection: from, frame }) => {
      if (from !== connection || !("rid" in frame) || frame.rid !== rid) return;
      if (this.waiter) this.waiter(frame);
      else this.queue.push(frame);
    });
    this.offLost = deps.connections.lost.on((gone) => {
      if (gone === connection) this.lost = true;
    });
  }

  next(): Promise<Frame> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.lost) return Promise.reject(relayFailure("disconnected"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(relayFailure(this.lost ? "disconnected" : "timeout"));
      }, RESPONSE_TIMEOUT_MS);
      this.waiter = (frame) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(frame);
      };
    });
  }

  close(): void {
    this.off();
    this.offLost();
  }
}

function newRid(random: RandomSource): string {
  return toBase64(random(16)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface RetrieveResult {
  records: LogRecord[];
  total: number;
  unreadable: number;
}

/**
 * Runs one request against the home relay of `target`. For "retrieve" the
 * result holds the opened records; for "clear", the number deleted.
 */
export async function requestLogs(
  deps: LogRequestDeps,
  opts: { op: LogOp; passphrase: string; target?: string; onProgress?: (p: Progress) => void },
): Promise<{ op: "retrieve"; result: RetrieveResult } | { op: "clear"; cleared: number }> {
  const target = opts.target ?? deps.account;
  const progress = (p: Progress) => opts.onProgress?.(p);
  progress({ phase: "connecting", received: 0, total: null });
  const homeId = await findHome(deps.account, target);
  const connection = await readyConnection(deps, target, homeId);
  const rid = newRid(deps.random);
  const inbox = new Inbox(deps, connection, rid);
  let keys: LogKeys | null = null;
  try {
    connection.channel.send({ t: "log-request", rid, op: opts.op });
    const challenge = await inbox.next();
    if (challenge.t === "log-refused") throw relayFailure(challenge.reason, challenge.retryAfterMs);
    if (challenge.t !== "log-challenge") throw relayFailure("expired");
    progress({ phase: "proving", received: 0, total: null });
    keys = await deriveLogKeys(opts.passphrase, fromBase64(challenge.derive.salt), challenge.derive.kdf as PassphraseKdfParams);
    connection.channel.send({ t: "log-proof", rid, proof: toBase64(proveLogAccess(fromBase64(challenge.challenge), keys.authoritySecretKey)) });
    const answer = await inbox.next();
    if (answer.t === "log-refused") throw relayFailure(answer.reason, answer.retryAfterMs);
    if (answer.t === "log-cleared") return { op: "clear", cleared: answer.count };
    if (answer.t !== "log-begin") throw relayFailure("expired");
    return { op: "retrieve", result: await receive(inbox, await recordOpener(keys), answer.total, progress) };
  } finally {
    inbox.close();
    keys?.logSecretKey.fill(0);
    keys?.authoritySecretKey.fill(0);
  }
}

async function receive(inbox: Inbox, open: OpenRecords, total: number, progress: (p: Progress) => void): Promise<RetrieveResult> {
  const records: LogRecord[] = [];
  let unreadable = 0;
  let received = 0;
  progress({ phase: "receiving", received, total });
  for (;;) {
    const frame = await inbox.next();
    if (frame.t === "log-end") break;
    if (frame.t !== "log-chunk") continue;
    const opened = await openRecords(frame.records, open);
    records.push(...opened.records);
    unreadable += opened.unreadable;
    received += frame.records.length;
    progress({ phase: "receiving", received, total });
  }
  return { records, total, unreadable };
}

export async function openRecords(sealed: string[], open: OpenRecords): Promise<RetrieveResult> {
  const records: LogRecord[] = [];
  let unreadable = 0;
  for (const plain of await open(sealed.map(fromBase64))) {
    const record = plain ? decodeLogRecord(plain) : null;
    if (record) records.push(record);
    else unreadable += 1;
  }
  return { records, total: sealed.length, unreadable };
}
