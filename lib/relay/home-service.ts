import type { Connection } from "@/lib/chat/connections";
import { createLogChallenge, fromBase64, toBase64, verifyLogAccess, type RandomSource } from "@/lib/crypto";
import { MAX_CHUNK_B64_TOTAL, MAX_RECORDS_PER_CHUNK, type Frame, type LogOp, type LogRefusal } from "@/lib/protocol";
import { highWaterMarkBytes, lowWaterMarkBytes } from "@/lib/rtc/limits";
import { clearLogs, countLogs, readLogs } from "./log-store";
import { loadLockout, saveLockout, type RelaySettings } from "./relay-settings";

// The home relay's side of retrieval and Clear. A request is served only to a
// device of the same account (server-stamped sender, checked against the
// account's live device list) that proves the log passphrase by signing a
// one-time challenge. Five failed proofs lock requests out for 15 minutes,
// across reloads. Refusals are explicit and change nothing.

export const MAX_FAILED_PROOFS = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const CHALLENGE_TTL_MS = 120_000;
const MAX_OPEN_CHALLENGES = 16;
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
  connection: Connection;
  expiresAt: number;
  used: boolean;
}

export class HomeService {
  private readonly challenges = new Map<string, OpenChallenge>();

  constructor(private readonly deps: HomeServiceDeps) {}

  /** Handles the relay frames a requester sends; false for any other frame. */
  async onFrame(connection: Connection, frame: Frame): Promise<boolean> {
    if (frame.t === "log-request") {
      await this.onRequest(connection, frame.rid, frame.op);
      return true;
    }
    if (frame.t === "log-proof") {
      await this.onProof(connection, frame.rid, frame.proof);
      return true;
    }
    return false;
  }

  async clearLocally(): Promise<number> {
    const count = await clearLogs(this.deps.account);
    this.deps.onCleared(count);
    return count;
  }

  private refuse(connection: Connection, rid: string, reason: LogRefusal, retryAfterMs?: number): void {
    connection.channel.send({ t: "log-refused", rid, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  private async lockedFor(): Promise<number> {
    const lockout = await loadLockout(this.deps.account);
    return Math.max(0, lockout.lockedUntil - this.deps.clock());
  }

  private async onRequest(connection: Connection, rid: string, op: LogOp): Promise<void> {
    const { account, deviceId, clock, random } = this.deps;
    if (connection.nickname !== account || !(await this.deps.accountDevices()).includes(connection.deviceId)) {
      return this.refuse(connection, rid, "not-same-account");
    }
    const wait = await this.lockedFor();
    if (wait > 0) return this.refuse(connection, rid, "locked-out", wait);
    const bundle = this.deps.settings().logBundle;
    if (!bundle) return this.refuse(connection, rid, "no-logs");
    if (this.challenges.has(rid)) return this.refuse(connection, rid, "replayed");
    this.expireChallenges();
    if (this.challenges.size >= MAX_OPEN_CHALLENGES) return this.refuse(connection, rid, "busy");
    const { challenge } = createLogChallenge({ requesterDeviceId: connection.deviceId, homeDeviceId: deviceId, now: clock(), random, ttlMs: CHALLENGE_TTL_MS });
    this.challenges.set(rid, { op, challenge, connection, expiresAt: clock() + CHALLENGE_TTL_MS, used: false });
    connection.channel.send({ t: "log-challenge", rid, challenge: toBase64(challenge), derive: { salt: bundle.salt, kdf: bundle.kdf } });
  }

  private async onProof(connection: Connection, rid: string, proofB64: string): Promise<void> {
    const open = this.challenges.get(rid);
    if (!open || open.connection !== connection) return this.refuse(connection, rid, "expired");
    // One proof per challenge, right or wrong: a replay earns nothing.
    if (open.used) return this.refuse(connection, rid, "replayed");
    open.used = true;
    const wait = await this.lockedFor();
    if (wait > 0) return this.refuse(connection, rid, "locked-out", wait);
    const bundle = this.deps.settings().logBundle;
    if (!bundle) return this.refuse(connection, rid, "no-logs");
    const now = this.deps.clock();
    let proof: Uint8Array;
    try {
      proof = fromBase64(proofB64);
    } catch {
      proof = new Uint8Array(0);
    }
    const verdict = verifyLogAccess(open.challenge, proof, fromBase64(bundle.authorityPublicKey), { now, requesterDeviceId: connection.deviceId, homeDeviceId: this.deps.deviceId });
    if (!verdict.ok) {
      if (verdict.code === "CHALLENGE_EXPIRED") return this.refuse(connection, rid, "expired");
      const lockout = await loadLockout(this.deps.account);
      const failures = lockout.failures + 1;
      await saveLockout(this.deps.account, { failures, lockedUntil: failures >= MAX_FAILED_PROOFS ? now + LOCKOUT_MS : lockout.lockedUntil });
      return this.refuse(connection, rid, "bad-proof");
    }
    await saveLockout(this.deps.account, { failures: 0, lockedUntil: 0 });
    if (open.op === "clear") {
      const count = await clearLogs(this.deps.account);
      this.deps.onCleared(count);
      connection.channel.send({ t: "log-cleared", rid, count });
      return;
    }
    await this.stream(connection, rid);
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

  private expireChallenges(): void {
    const now = this.deps.clock();
    for (const [rid, open] of this.challenges) if (open.expiresAt <= now || !open.connection.channel.isReady) this.challenges.delete(rid);
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
