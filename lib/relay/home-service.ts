import type { Connection } from "@/lib/chat/connections";
import { createLogChallenge, fromBase64, toBase64, verifyLogAccess, type RandomSource } from "@/lib/crypto";
import { MAX_CHUNK_B64_TOTAL, MAX_RECORDS_PER_CHUNK, type Frame, type LogOp, type LogRefusal } from "@/lib/protocol";
import { highWaterMarkBytes, lowWaterMarkBytes } from "@/lib/rtc/limits";
import { claimRequestId, clearProofFailures, loadLockout, recordProofAttempt } from "./attempt-ledger";
import { clearLogs, countLogs, readLogs } from "./log-store";
import type { RelaySettings } from "./relay-settings";

// The home relay's side of retrieval and Clear (docs/protocol.md "Retrieval
// and Clear"). A request is served only to a device of the same account
// (server-stamped sender, checked against the account's live device list)
// that proves the log passphrase by signing a one-time challenge naming the
// operation, both devices and this channel. Requests and proofs are handled
// one at a time; an attempt is counted before its proof is verified, in
// IndexedDB, so five wrong proofs per 15 minutes hold across reloads and
// under proofs that arrive together. Refusals are explicit and change nothing.

export { LOCKOUT_MS, MAX_FAILED_PROOFS } from "./attempt-ledger";
export const CHALLENGE_TTL_MS = 120_000;
export const MAX_OPEN_CHALLENGES = 16;
/**
 * Streaming reads records a batch per IndexedDB transaction, sized so that a
 * batch holds about READ_BYTES (records run from ~400 bytes to ~130 KB), and
 * never more than MAX_RECORDS_PER_READ records.
 */
const READ_BYTES = 1024 * 1024;
const FIRST_READ_RECORDS = 64;
const MAX_RECORDS_PER_READ = 1024;

export interface HomeServiceDeps {
  account: string;
  deviceId: string;
  random: RandomSource;
  clock: () => number;
  settings: () => RelaySettings;
  /** Live device ids of this account, from the server. */
  accountDevices: () => Promise<string[]>;
  /** Sealed records were deleted (for the UI's count). */
  onCleared: (count: number) => void;
  /** Most records per database read while streaming (default MAX_RECORDS_PER_READ). */
  maxRecordsPerRead?: number;
}

interface OpenChallenge {
  op: LogOp;
  challenge: Uint8Array;
  /** The channel it was issued on: a proof counts only there. */
  channel: Connection["channel"];
  sessionId: Uint8Array;
  expiresAt: number;
}

export class HomeService {
  private readonly challenges = new Map<string, OpenChallenge>();
  /** Request ids whose challenge was used, until it would have expired: a second proof is "replayed". */
  private readonly spent = new Map<string, number>();
  /** One request or proof at a time, for every channel of this home. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: HomeServiceDeps) {}

  /** Handles the relay frames a requester sends; false for any other frame. */
  async onFrame(connection: Connection, frame: Frame): Promise<boolean> {
    if (frame.t === "log-request") {
      await this.inTurn(() => this.onRequest(connection, frame.rid, frame.op));
      return true;
    }
    if (frame.t === "log-proof") {
      // Verifying and counting take turns; streaming the records does not hold the turn.
      const granted = await this.inTurn(() => this.onProof(connection, frame.rid, frame.proof));
      if (granted) await this.stream(connection, frame.rid);
      return true;
    }
    return false;
  }

  async clearLocally(): Promise<number> {
    const count = await clearLogs(this.deps.account);
    this.deps.onCleared(count);
    return count;
  }

  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private refuse(connection: Connection, rid: string, reason: LogRefusal, retryAfterMs?: number): void {
    connection.channel.send({ t: "log-refused", rid, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  private async onRequest(connection: Connection, rid: string, op: LogOp): Promise<void> {
    const { account, deviceId, clock, random } = this.deps;
    const sessionId = connection.channel.sessionId;
    if (!sessionId) return; // frames come only on ready channels; nothing to bind to otherwise
    if (connection.nickname !== account || !(await this.deps.accountDevices()).includes(connection.deviceId)) {
      return this.refuse(connection, rid, "not-same-account");
    }
    const now = clock();
    const lockout = await loadLockout(account, now);
    if (now < lockout.lockedUntil) return this.refuse(connection, rid, "locked-out", lockout.lockedUntil - now);
    const bundle = this.deps.settings().logBundle;
    if (!bundle) return this.refuse(connection, rid, "no-logs");
    this.expire(now);
    if (this.challenges.has(rid) || this.spent.has(rid)) return this.refuse(connection, rid, "replayed");
    if (this.challenges.size >= MAX_OPEN_CHALLENGES) return this.refuse(connection, rid, "busy");
    const claim = await claimRequestId(account, rid, now + CHALLENGE_TTL_MS, now);
    if (claim !== "ok") return this.refuse(connection, rid, claim === "replayed" ? "replayed" : "busy");
    const { challenge } = createLogChallenge({ op, sessionId, requesterDeviceId: connection.deviceId, homeDeviceId: deviceId, now, random, ttlMs: CHALLENGE_TTL_MS });
    this.challenges.set(rid, { op, challenge, channel: connection.channel, sessionId, expiresAt: now + CHALLENGE_TTL_MS });
    connection.channel.send({ t: "log-challenge", rid, challenge: toBase64(challenge), derive: { salt: bundle.salt, kdf: bundle.kdf } });
  }

  /** Verifies one proof; true when the records should be streamed. */
  private async onProof(connection: Connection, rid: string, proofB64: string): Promise<boolean> {
    const { account, clock } = this.deps;
    const open = this.challenges.get(rid);
    // Issued on another channel (a relayed proof), or never: not this channel's to answer, and not consumed.
    if (!open || open.channel !== connection.channel) {
      this.refuse(connection, rid, open === undefined && this.spent.has(rid) ? "replayed" : "expired");
      return false;
    }
    // Used, right or wrong: a challenge answers one proof.
    this.challenges.delete(rid);
    this.spent.set(rid, open.expiresAt);
    const bundle = this.deps.settings().logBundle;
    if (!bundle) return this.refusal(connection, rid, "no-logs");
    const now = clock();
    if (now >= open.expiresAt) return this.refusal(connection, rid, "expired");
    const attempt = await recordProofAttempt(account, now);
    if (!attempt.allowed) return this.refusal(connection, rid, "locked-out", attempt.retryAfterMs);
    const verdict = verifyLogAccess(open.challenge, decodeProof(proofB64), fromBase64(bundle.authorityPublicKey), {
      op: open.op,
      sessionId: open.sessionId,
      requesterDeviceId: connection.deviceId,
      homeDeviceId: this.deps.deviceId,
      now,
    });
    if (!verdict.ok) return this.refusal(connection, rid, verdict.code === "CHALLENGE_EXPIRED" ? "expired" : "bad-proof");
    await clearProofFailures(account);
    if (open.op === "retrieve") return true;
    const count = await clearLogs(account);
    this.deps.onCleared(count);
    connection.channel.send({ t: "log-cleared", rid, count });
    return false;
  }

  private refusal(connection: Connection, rid: string, reason: LogRefusal, retryAfterMs?: number): false {
    this.refuse(connection, rid, reason, retryAfterMs);
    return false;
  }

  /**
   * Sends every sealed record in chunks, pausing while the data channel's
   * buffer is full. Records are read about a megabyte per IndexedDB
   * transaction, the next read already under way while this one is sent: a
   * transaction per chunk left the home waiting on the database most of the time.
   */
  private async stream(connection: Connection, rid: string): Promise<void> {
    const { channel, link } = connection;
    const account = this.deps.account;
    const total = await countLogs(account);
    channel.send({ t: "log-begin", rid, total });
    link.bufferedAmountLowThreshold = lowWaterMarkBytes;
    let seq = 0;
    let sent = 0;
    let records: string[] = [];
    let size = 0;
    const flush = async () => {
      if (records.length === 0) return;
      if (link.bufferedAmount > highWaterMarkBytes) await drained(link);
      if (!channel.send({ t: "log-chunk", rid, seq: seq++, records })) throw new Error("the connection closed");
      sent += records.length;
      records = [];
      size = 0;
    };
    const maxPerRead = this.deps.maxRecordsPerRead ?? MAX_RECORDS_PER_READ;
    const read = (afterSeq: number, count: number) => {
      const pending = readLogs(account, afterSeq, count);
      // A stream cut short leaves one read nobody awaits; its failure is moot.
      pending.catch(() => undefined);
      return pending;
    };
    let reading = read(0, Math.min(FIRST_READ_RECORDS, maxPerRead));
    for (;;) {
      const batch = await reading;
      if (batch.length === 0) break;
      const bytes = batch.reduce((n, entry) => n + entry.sealed.length, 0);
      const next = Math.max(1, Math.min(maxPerRead, Math.floor((READ_BYTES * batch.length) / bytes)));
      reading = read(batch.at(-1)!.seq, next);
      for (const entry of batch) {
        const b64 = toBase64(entry.sealed);
        if (records.length === MAX_RECORDS_PER_CHUNK || size + b64.length > MAX_CHUNK_B64_TOTAL) await flush();
        records.push(b64);
        size += b64.length;
      }
    }
    await flush();
    channel.send({ t: "log-end", rid, count: sent });
  }

  /** Forgets challenges past their time or whose channel closed, and spent ids that could no longer be replayed. */
  private expire(now: number): void {
    for (const [rid, open] of this.challenges) if (open.expiresAt <= now || !open.channel.isReady) this.challenges.delete(rid);
    for (const [rid, until] of this.spent) if (until <= now) this.spent.delete(rid);
  }
}

function decodeProof(proofB64: string): Uint8Array {
  try {
    return fromBase64(proofB64);
  } catch {
    return new Uint8Array(0); // not base64: verifies as nothing
  }
}

function drained(link: Connection["link"]): Promise<void> {
  return new Promise((resolve) => {
    const off = link.bufferedAmountLow.on(() => {
      off();
      resolve();
    });
    // A link that closes while we wait ends the stream instead of hanging it.
    const offClosed = link.closed.on(() => {
      offClosed();
      resolve();
    });
  });
}
