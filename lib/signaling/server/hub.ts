// Shared state of one Pusher app: its live connections and channels, and the
// one way anything reaches a socket (send), which enforces the send-buffer
// bound. The WebSocket handler and the HTTP API both work through it.

import { randomInt } from "node:crypto";
import type { WebSocket } from "ws";
import { ChannelRegistry } from "./channels";
import type { SignalingLimits } from "./limits";

export interface PusherAppConfig {
  id: string;
  key: string;
  secret: string;
}

export interface SignalingLogger {
  warn(msg: string, meta?: object): void;
}

/** What this deployment allows beyond the protocol's own rules. */
export interface HubPolicy {
  /** Public channels need no authorization; the app uses none, so by default they are refused. */
  publicChannels: boolean;
}

export interface PresenceChange {
  type: "member_added" | "member_removed";
  channel: string;
  userId: string;
}

/**
 * Per-socket state, kept deliberately small: with 10,000 sockets every field
 * here costs 10,000 times over.
 */
export class Connection {
  /** channel -> presence user_id on presence channels, null elsewhere; allocated on first subscribe. */
  channels: Map<string, string | null> | null = null;
  lastSeen: number;
  /** When the unanswered pusher:ping was sent, 0 when none is outstanding. */
  pingSentAt = 0;
  closed = false;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    now: number,
    /** The client's address as counted by maxConnectionsPerAddress. */
    readonly address: string,
  ) {
    this.lastSeen = now;
  }
}

const OPEN = 1;

/** How long a socket this server closes may take to answer the close frame before it is cut. */
const CLOSE_HANDSHAKE_MS = 2_000;

export class Hub {
  readonly connections = new Map<string, Connection>();
  readonly channels = new ChannelRegistry<Connection>();
  /** Open connections per client address; an address leaves the map with its last connection. */
  private readonly perAddress = new Map<string, number>();

  constructor(
    readonly app: PusherAppConfig,
    readonly limits: SignalingLimits,
    readonly logger: SignalingLogger,
    readonly policy: HubPolicy,
    private readonly onPresenceChange?: (change: PresenceChange) => void,
  ) {}

  /** Counts a new connection from `address`; false (nothing counted) when the address is at its limit. */
  admit(address: string): boolean {
    const open = this.perAddress.get(address) ?? 0;
    if (open >= this.limits.maxConnectionsPerAddress) return false;
    this.perAddress.set(address, open + 1);
    return true;
  }

  release(address: string): void {
    const open = (this.perAddress.get(address) ?? 1) - 1;
    if (open <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, open);
  }

  /** Closes every socket that is a presence member with this user id (e.g. a revoked device's); returns how many. */
  terminateMember(userId: string, code: number, frame: string): number {
    let closed = 0;
    for (const conn of this.connections.values()) {
      if (!conn.channels || ![...conn.channels.values()].includes(userId)) continue;
      this.closeWith(conn, code, frame);
      closed += 1;
    }
    return closed;
  }

  /** A socket id in Pusher's `digits.digits` form, unique among live sockets. */
  newSocketId(): string {
    for (;;) {
      const id = `${randomInt(1, 2 ** 40)}.${randomInt(1, 2 ** 40)}`;
      if (!this.connections.has(id)) return id;
    }
  }

  /**
   * Queues a frame for one socket. A socket whose unsent backlog is already
   * past the bound is a consumer that cannot keep up: it is dropped rather
   * than allowed to grow server memory without limit.
   */
  send(conn: Connection, frame: string | Buffer): void {
    if (conn.closed || conn.ws.readyState !== OPEN) return;
    if (conn.ws.bufferedAmount > this.limits.maxSendBufferBytes) {
      this.logger.warn("signaling: dropping slow consumer", { socketId: conn.id, buffered: conn.ws.bufferedAmount });
      conn.closed = true;
      conn.ws.terminate();
      return;
    }
    conn.ws.send(frame, { binary: false });
  }

  /** Sends an error frame, then closes with the same protocol code. */
  closeWith(conn: Connection, code: number, frame: string): void {
    if (conn.closed) return;
    this.send(conn, frame);
    conn.closed = true;
    // Off every channel now, not when the close handshake ends: a dead peer
    // never answers it, and its presence would linger for ws's 30 s close timeout.
    this.leaveAll(conn);
    conn.ws.close(code);
    const ws = conn.ws;
    setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }

  /**
   * Delivers an event to every subscriber of a channel but `exceptSocketId`.
   * The frame is serialized once and shared by all recipients.
   */
  publish(channel: string, event: string, data: string, exceptSocketId?: string): number {
    const state = this.channels.get(channel);
    if (!state) return 0;
    const frame = Buffer.from(JSON.stringify({ event, channel, data }), "utf8");
    let delivered = 0;
    for (const conn of state.subscribers) {
      if (conn.id === exceptSocketId) continue;
      this.send(conn, frame);
      delivered += 1;
    }
    return delivered;
  }

  presenceChanged(change: PresenceChange): void {
    if (!this.onPresenceChange) return;
    try {
      this.onPresenceChange(change);
    } catch (err) {
      this.logger.warn("signaling: presence hook threw", { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Takes a socket off every channel it is on, announcing presence departures. */
  leaveAll(conn: Connection): void {
    if (!conn.channels) return;
    for (const channel of [...conn.channels.keys()]) this.leave(conn, channel);
    conn.channels = null;
  }

  /** Takes a socket off one channel; returns false when it was not on it. */
  leave(conn: Connection, channel: string): boolean {
    if (!conn.channels || !conn.channels.has(channel)) return false;
    const userId = conn.channels.get(channel) ?? null;
    conn.channels.delete(channel);
    const state = this.channels.get(channel);
    if (!state) return true;
    this.channels.remove(channel, conn);
    if (userId !== null && state.roster?.remove(userId)) {
      const frame = JSON.stringify({ event: "pusher_internal:member_removed", channel, data: JSON.stringify({ user_id: userId }) });
      for (const other of state.subscribers) this.send(other, frame);
      this.presenceChanged({ type: "member_removed", channel, userId });
    }
    return true;
  }
}
