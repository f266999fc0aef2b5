// Streams and batons exactly as libsql-server/src/hrana/http/stream.rs keeps
// them: a stream owns one connection; each response hands out a baton
// (stream id and sequence number, HMAC-SHA256-signed) that the next request on
// the stream must show once; an idle stream expires, rolling back what it had
// open, and is remembered as expired for a while so its baton says so.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Connection } from "./connection";
import { ProtocolError } from "./proto";

export class StreamExpiredError extends Error {
  readonly name = "StreamExpiredError";
  readonly code = "STREAM_EXPIRED";
  constructor() {
    super("The stream has expired due to inactivity");
  }
}

/** More streams open than the server allows (sqld: connection limit, `DbCreateTimeout`). */
export class TooManyStreamsError extends Error {
  readonly name = "TooManyStreamsError";
  constructor() {
    super("Timed out while opening database connection");
  }
}

export class Stream {
  /** Texts stored with `store_sql`, by id. */
  readonly sqls = new Map<number, string>();
  /** The next baton must carry this sequence number. */
  seq: bigint;
  expireTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: bigint,
    public connection: Connection | null,
  ) {
    // stream.rs: a random start makes collisions between batons much harder to exploit.
    this.seq = randomBytes(8).readBigUInt64BE();
  }
}

type Handle = { state: "available"; stream: Stream } | { state: "acquired"; stream: Stream } | { state: "expired"; until: number };

export interface StreamLimits {
  /** stream.rs EXPIRATION: 10 s without a request. */
  idleMs: number;
  /** stream.rs CLEANUP: how long an expired stream's baton still says "expired" (300 s). */
  expiredMemoryMs: number;
  maxStreams: number;
}

const U64 = 2n ** 64n;

export class StreamTable {
  private readonly batonKey = randomBytes(32);
  private readonly handles = new Map<bigint, Handle>();

  constructor(
    private readonly open: () => Connection,
    private readonly limits: StreamLimits,
    private readonly onConnectionClosed: () => void,
  ) {}

  /** Open connections, for the write-lock gate. */
  *connections(): Iterable<Connection> {
    for (const handle of this.handles.values()) if (handle.state !== "expired" && handle.stream.connection) yield handle.stream.connection;
  }

  get openCount(): number {
    return [...this.handles.values()].filter((h) => h.state !== "expired").length;
  }

  /** stream.rs `acquire`: no baton opens a new stream; a baton must be genuine, current and unused. */
  acquire(baton: string | undefined): Stream {
    if (baton === undefined) {
      this.forgetExpired();
      if (this.openCount >= this.limits.maxStreams) throw new TooManyStreamsError();
      let id: bigint;
      do id = randomBytes(8).readBigUInt64BE();
      while (this.handles.has(id));
      const stream = new Stream(id, this.open());
      this.handles.set(id, { state: "acquired", stream });
      return stream;
    }
    const { id, seq } = this.decodeBaton(baton);
    const handle = this.handles.get(id);
    if (handle === undefined) throw new ProtocolError("Received an invalid baton");
    if (handle.state === "acquired") throw new ProtocolError("Received a baton that has already been used");
    if (handle.state === "expired") throw new StreamExpiredError();
    if (handle.stream.seq !== seq) throw new ProtocolError("Received a baton that has already been used");
    const { stream } = handle;
    clearTimeout(stream.expireTimer);
    stream.seq = (stream.seq + 1n) % U64;
    this.handles.set(id, { state: "acquired", stream });
    return stream;
  }

  /** stream.rs `Guard::release`: the next baton, or null once the stream was closed. */
  release(stream: Stream): string | null {
    if (stream.connection === null) {
      this.handles.delete(stream.id);
      return null;
    }
    this.handles.set(stream.id, { state: "available", stream });
    stream.expireTimer = setTimeout(() => this.expire(stream), this.limits.idleMs);
    stream.expireTimer.unref();
    return this.encodeBaton(stream.id, stream.seq);
  }

  /** Closes the stream's connection (the `close` request); `release` then forgets it. */
  closeConnection(stream: Stream): void {
    if (stream.connection === null) return;
    stream.connection.close();
    stream.connection = null;
    this.onConnectionClosed();
  }

  /** A guard dropped without release (a protocol error): the stream is gone. */
  drop(stream: Stream): void {
    this.closeConnection(stream);
    this.handles.delete(stream.id);
  }

  private expire(stream: Stream): void {
    const handle = this.handles.get(stream.id);
    if (handle?.state !== "available" || handle.stream !== stream) return;
    this.closeConnection(stream);
    this.handles.set(stream.id, { state: "expired", until: Date.now() + this.limits.expiredMemoryMs });
  }

  /** Expired streams are remembered for a while, but never more of them than open streams allowed. */
  private forgetExpired(): void {
    const now = Date.now();
    const expired = [...this.handles].filter((entry): entry is [bigint, Extract<Handle, { state: "expired" }>] => entry[1].state === "expired");
    const excess = expired.length - this.limits.maxStreams;
    expired.sort((a, b) => a[1].until - b[1].until);
    expired.forEach(([id, handle], i) => {
      if (handle.until <= now || i < excess) this.handles.delete(id);
    });
  }

  closeAll(): void {
    for (const handle of this.handles.values()) {
      if (handle.state === "expired") continue;
      clearTimeout(handle.stream.expireTimer);
      this.closeConnection(handle.stream);
    }
    this.handles.clear();
  }

  private mac(payload: Buffer): Buffer {
    return createHmac("sha256", this.batonKey).update(payload).digest();
  }

  /** stream.rs `encode_baton`: base64 (no padding) of stream id ‖ seq (big-endian u64s) ‖ HMAC-SHA256. */
  private encodeBaton(id: bigint, seq: bigint): string {
    const payload = Buffer.alloc(16);
    payload.writeBigUInt64BE(id, 0);
    payload.writeBigUInt64BE(seq, 8);
    return Buffer.concat([payload, this.mac(payload)]).toString("base64").replace(/=+$/, "");
  }

  private decodeBaton(baton: string): { id: bigint; seq: bigint } {
    const invalid = () => new ProtocolError("Received an invalid baton");
    if (!/^[A-Za-z0-9+/]*$/.test(baton)) throw invalid();
    const data = Buffer.from(baton, "base64");
    if (data.length !== 48) throw invalid();
    const payload = data.subarray(0, 16);
    if (!timingSafeEqual(this.mac(payload), data.subarray(16))) throw invalid();
    return { id: payload.readBigUInt64BE(0), seq: payload.readBigUInt64BE(8) };
  }
}
