import { fetchJson } from "@/lib/api-client/fetch-json";
import type { Connection } from "@/lib/chat/connections";
import { serverDirectory } from "@/lib/chat/peer-directory";
import {
  checkLogChallenge,
  deriveLogKeys,
  equalBytes,
  fromBase64,
  isCryptoError,
  passphraseProblem,
  proveLogAccess,
  toBase64,
  type ChallengeExpectation,
  type LogKeys,
  type PassphraseKdfParams,
  type RandomSource,
} from "@/lib/crypto";
import type { Frame, LogOp, LogRefusal } from "@/lib/protocol";
import type { Listenable } from "@/lib/rtc/byte-link";
import { decodeLogRecord, type LogRecord } from "./log-records";
import { recordOpener, type LogOpener } from "./record-opener";
import type { HomePin } from "./relay-settings";

// The requesting side of retrieval and Clear (a phone, say): reach this
// account's home relay peer to peer, check that its challenge names exactly
// what was asked (this operation, this device, the home it dialled, this
// channel), answer by signing with a key derived from the passphrase (which
// never leaves this device), then receive sealed records and open them here.
// Only the account's own home is ever asked: the device the server lists as
// home, and the one pinned at the first retrieval.

export const RESPONSE_TIMEOUT_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 30_000;
/**
 * Frames of one request waiting to be read, by their records' size: the home
 * streams as fast as the network takes it, and this device opens records more
 * slowly than that. Past this, the request fails rather than hold more.
 */
export const MAX_INBOX_BYTES = 64 * 1024 * 1024;

export type RelayFailure =
  | LogRefusal
  | "no-home"
  | "home-offline"
  | "home-changed"
  | "bad-challenge"
  | "bad-passphrase"
  | "unreachable"
  | "timeout"
  | "disconnected"
  | "overflow";

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
  "home-changed":
    "The server now lists another device as your home relay than the one this device used before. Nothing was sent to it. If you moved your home relay yourself, choose “Use the new home relay”; if not, someone with your password may be trying to read your logs.",
  "bad-challenge": "The home relay's challenge was not for this request (or its clock is more than a minute off), so nothing was signed.",
  "bad-passphrase": "The log passphrase must be at least 12 characters.",
  unreachable: "Couldn't reach the home relay from this network. It is online, but no connection works between this network and the home's: a TURN server is needed.",
  timeout: "The home relay did not answer in time.",
  disconnected: "The connection to the home relay was lost.",
  overflow: "The home relay sent records faster than this device could open them. Nothing was lost: try again.",
};

export function relayFailure(reason: RelayFailure, retryAfterMs?: number): RelayError {
  const minutes = retryAfterMs ? ` Try again in ${Math.ceil(retryAfterMs / 60_000)} minute(s).` : "";
  return new RelayError(reason, refusalText[reason] + minutes, retryAfterMs);
}

/** What a request needs of this tab's connections (the answers come on the connection's own channel). */
export interface RelayConnections {
  of(nickname: string): Connection[];
  dial(nickname: string, deviceIds: string[]): void;
  readonly ready: Listenable<Connection>;
  /** The device answered, but no network path to it worked. */
  readonly unreachable: Listenable<Connection>;
}

export interface LogRequestDeps {
  account: string;
  /** This device: the only requester a challenge may name. */
  deviceId: string;
  connections: RelayConnections;
  random: RandomSource;
  clock: () => number;
  /** The device the server lists as this account's home relay, online now (default: findHome). */
  homeDevice?: () => Promise<string>;
  /** The home this device proved the passphrase to before. */
  homePin: { load(): Promise<HomePin | null>; save(pin: HomePin): Promise<void> };
  /** The most a request holds unread (default MAX_INBOX_BYTES). */
  maxInboxBytes?: number;
}

/** `fraction`: how far the key derivation is (0..1) while proving; it takes seconds on a phone. */
export type Progress = { phase: "connecting" | "proving" | "receiving"; received: number; total: number | null; fraction?: number };

/** This account's home relay device as the server lists it, if it is online now. */
export async function findHome(account: string): Promise<string> {
  const { devices } = await fetchJson<{ devices: { id: string; home: boolean }[] }>("/api/devices");
  const homeId = devices.find((d) => d.home)?.id;
  if (!homeId) throw relayFailure("no-home");
  if (!(await serverDirectory.presence(account)).online.some((d) => d.deviceId === homeId)) throw relayFailure("home-offline");
  return homeId;
}

function readyConnection(deps: LogRequestDeps, deviceId: string): Promise<Connection> {
  const existing = deps.connections.of(deps.account).find((c) => c.deviceId === deviceId && c.channel.isReady);
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
      if (connection.deviceId !== deviceId || connection.nickname !== deps.account) return;
      clearTimeout(timer);
      off();
      resolve(connection);
    });
    // The home answered but no network path worked: not slow, not offline.
    const offUnreachable = deps.connections.unreachable.on((connection) => {
      if (connection.deviceId !== deviceId || connection.nickname !== deps.account) return;
      clearTimeout(timer);
      off();
      reject(relayFailure("unreachable"));
    });
    deps.connections.dial(deps.account, [deviceId]);
  });
}

/**
 * Collects this request's frames from its one connection, in order, with a
 * timeout per wait and at most MAX_INBOX_BYTES waiting to be read.
 */
class Inbox {
  private queue: Frame[] = [];
  private queuedBytes = 0;
  private waiter: { resolve: (frame: Frame) => void; reject: (error: RelayError) => void } | null = null;
  private failure: RelayError | null = null;
  private readonly offFrame: () => void;
  private readonly offClosed: () => void;

  constructor(
    connection: Connection,
    rid: string,
    private readonly maxBytes = MAX_INBOX_BYTES,
  ) {
    this.offFrame = connection.channel.frame.on((frame) => {
      if (this.failure || !("rid" in frame) || frame.rid !== rid) return;
      if (this.waiter) return this.waiter.resolve(frame);
      this.queuedBytes += frameBytes(frame);
      if (this.queuedBytes > this.maxBytes) return this.fail(relayFailure("overflow"));
      this.queue.push(frame);
    });
    this.offClosed = connection.channel.closed.on(() => this.fail(relayFailure("disconnected")));
    // Closed before this request began: no "closed" is coming.
    if (!connection.channel.isReady) this.fail(relayFailure("disconnected"));
  }

  next(): Promise<Frame> {
    const queued = this.queue.shift();
    if (queued) {
      this.queuedBytes -= frameBytes(queued);
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(relayFailure("timeout")), RESPONSE_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        this.waiter = null;
      };
      this.waiter = {
        resolve: (frame) => {
          done();
          resolve(frame);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
    });
  }

  close(): void {
    this.offFrame();
    this.offClosed();
    this.queue = [];
  }

  /** Nothing more is queued; a waiting read fails now, later ones after the queue is read. */
  private fail(error: RelayError): void {
    this.failure ??= error;
    if (error.reason === "overflow") this.queue = [];
    this.waiter?.reject(this.failure);
  }
}

/** What a queued frame holds, roughly: its records' base64 (the rest is small). */
function frameBytes(frame: Frame): number {
  return 256 + (frame.t === "log-chunk" ? frame.records.reduce((n, r) => n + r.length, 0) : 0);
}

function newRid(random: RandomSource): string {
  return toBase64(random(16)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface RetrieveResult {
  records: LogRecord[];
  total: number;
  unreadable: number;
}

/** The home to ask: the one the server lists, if it is the one pinned here (or none is pinned yet). */
async function pinnedHome(deps: LogRequestDeps): Promise<{ homeId: string; pin: HomePin | null }> {
  const homeId = await (deps.homeDevice ?? (() => findHome(deps.account)))();
  const pin = await deps.homePin.load();
  if (pin && pin.deviceId !== homeId) throw relayFailure("home-changed");
  return { homeId, pin };
}

/** What this request's challenge must say, or nothing is signed (docs/protocol.md "Proof of the passphrase"). */
function expectation(deps: LogRequestDeps, op: LogOp, connection: Connection): ChallengeExpectation {
  const sessionId = connection.channel.sessionId;
  if (!sessionId) throw relayFailure("disconnected");
  return { op, sessionId, requesterDeviceId: deps.deviceId, homeDeviceId: connection.deviceId, now: deps.clock() };
}

/**
 * Runs one request against this account's home relay. For "retrieve" the
 * result holds the opened records; for "clear", the number deleted.
 */
export async function requestLogs(
  deps: LogRequestDeps,
  opts: { op: LogOp; passphrase: string; onProgress?: (p: Progress) => void; onRecords?: OnRecords },
): Promise<{ op: "retrieve"; result: RetrieveResult } | { op: "clear"; cleared: number }> {
  const problem = passphraseProblem(opts.passphrase);
  if (problem) throw new RelayError("bad-passphrase", problem);
  const progress = (p: Progress) => opts.onProgress?.(p);
  progress({ phase: "connecting", received: 0, total: null });
  const { homeId, pin } = await pinnedHome(deps);
  const connection = await readyConnection(deps, homeId);
  const homeKey = connection.channel.remoteSignKey;
  if (!homeKey || (pin && !equalBytes(homeKey, fromBase64(pin.signPublicKey)))) throw relayFailure("home-changed");
  const rid = newRid(deps.random);
  const inbox = new Inbox(connection, rid, deps.maxInboxBytes);
  let keys: LogKeys | null = null;
  let opener: LogOpener | null = null;
  try {
    connection.channel.send({ t: "log-request", rid, op: opts.op });
    const challenge = await inbox.next();
    if (challenge.t === "log-refused") throw relayFailure(challenge.reason, challenge.retryAfterMs);
    if (challenge.t !== "log-challenge") throw relayFailure("expired");
    const challengeBytes = signable(challenge.challenge, expectation(deps, opts.op, connection));
    progress({ phase: "proving", received: 0, total: null, fraction: 0 });
    keys = await deriveLogKeys(opts.passphrase, fromBase64(challenge.derive.salt), challenge.derive.kdf as PassphraseKdfParams, {
      onProgress: (fraction) => progress({ phase: "proving", received: 0, total: null, fraction }),
    });
    const proof = proveLogAccess(challengeBytes, keys.authoritySecretKey, expectation(deps, opts.op, connection));
    connection.channel.send({ t: "log-proof", rid, proof: toBase64(proof) });
    const answer = await inbox.next();
    if (answer.t === "log-refused") throw relayFailure(answer.reason, answer.retryAfterMs);
    if (answer.t !== "log-cleared" && answer.t !== "log-begin") throw relayFailure("expired");
    // The home proved it holds this account's logs: remember it (trust on first use).
    if (!pin) await deps.homePin.save({ deviceId: homeId, signPublicKey: toBase64(homeKey) });
    if (answer.t === "log-cleared") return { op: "clear", cleared: answer.count };
    opener = await recordOpener(keys);
    return { op: "retrieve", result: await receive(inbox, opener, answer.total, progress, opts.onRecords) };
  } finally {
    inbox.close();
    opener?.close();
    keys?.logSecretKey.fill(0);
    keys?.authoritySecretKey.fill(0);
  }
}

/** The challenge's bytes, once they pass every check; a RelayError "bad-challenge" otherwise. */
function signable(challengeB64: string, expected: ChallengeExpectation): Uint8Array {
  try {
    const bytes = fromBase64(challengeB64);
    checkLogChallenge(bytes, expected);
    return bytes;
  } catch (error) {
    if (isCryptoError(error) || error instanceof RangeError) throw relayFailure("bad-challenge");
    throw error;
  }
}

/** Each chunk's records as soon as they are opened, so the page can show the first screen while the rest arrives. */
export type OnRecords = (records: LogRecord[], unreadable: number) => void;

async function receive(inbox: Inbox, opener: LogOpener, total: number, progress: (p: Progress) => void, onRecords?: OnRecords): Promise<RetrieveResult> {
  const records: LogRecord[] = [];
  let unreadable = 0;
  let received = 0;
  progress({ phase: "receiving", received, total });
  // Each chunk is handed to the opener as it arrives and the next one is
  // awaited at once: the opener starts a chunk's X25519s straight away and
  // opens chunks in order, so waiting on the network, on WebCrypto and on the
  // page's own work overlap. Records reach the page in order, chunk by chunk.
  const opening: Promise<void>[] = [];
  for (;;) {
    const frame = await inbox.next();
    if (frame.t === "log-end") break;
    if (frame.t !== "log-chunk") continue;
    opening.push(
      openRecords(frame.records, opener).then((opened) => {
        onRecords?.(opened.records, opened.unreadable);
        for (const record of opened.records) records.push(record);
        unreadable += opened.unreadable;
        received += frame.records.length;
        progress({ phase: "receiving", received, total });
      }),
    );
  }
  await Promise.all(opening);
  return { records, total, unreadable };
}

export async function openRecords(sealed: string[], opener: LogOpener): Promise<RetrieveResult> {
  const records: LogRecord[] = [];
  let unreadable = 0;
  for (const plain of await opener.open(sealed.map(fromBase64))) {
    const record = plain ? decodeLogRecord(plain) : null;
    if (record) records.push(record);
    else unreadable += 1;
  }
  return { records, total: sealed.length, unreadable };
}
