// Every resource the server hands out is bounded here, in one place, so a
// misbehaving or hostile client can only ever cost a known amount of memory.
// Defaults follow hosted Pusher's published limits where Pusher has one.

export interface SignalingLimits {
  /** Concurrent WebSocket connections; the next one is refused with 4100. */
  maxConnections: number;
  /** Concurrent WebSocket connections from one client address (IPv6: one /64); the next is refused with 4100. */
  maxConnectionsPerAddress: number;
  /** Channels one socket may be subscribed to at once. */
  maxChannelsPerSocket: number;
  /** Bytes of an event's `data` string (Pusher: 10 KB). */
  maxPayloadBytes: number;
  /** Bytes of one inbound WebSocket frame; larger frames close the socket with 1009. */
  maxMessageBytes: number;
  /** Bytes of one HTTP API request body (413 past it). */
  maxBodyBytes: number;
  /** Milliseconds an HTTP API request body may take to arrive (408 past it), so a trickled body cannot hold a socket. */
  bodyTimeoutMs: number;
  /** Bytes queued for one socket before it is dropped as a slow consumer. */
  maxSendBufferBytes: number;
  /** Members of one presence channel (Pusher: 100). */
  maxPresenceMembers: number;
  /** Bytes of one presence member's user_info (Pusher: 1 KB). */
  maxUserInfoBytes: number;
  /** Characters of a channel name (the `pusher` client allows 200). */
  maxChannelNameLength: number;
  /** Characters of an event name (Pusher: 200). */
  maxEventNameLength: number;
  /** Channels one REST event may target (Pusher: 100). */
  maxChannelsPerEvent: number;
  /** Events in one batch_events call (Pusher: 10). */
  maxBatchSize: number;
  /** Seconds of silence before the server pings a socket; also told to clients. */
  activityTimeoutSec: number;
  /** Seconds a pinged socket has to answer before it is closed with 4201. */
  pongTimeoutSec: number;
  /** Seconds a signed REST request's auth_timestamp may differ from now (Pusher: 600). */
  maxTimestampSkewSec: number;
}

export const DEFAULT_LIMITS: Readonly<SignalingLimits> = Object.freeze({
  maxConnections: 20_000,
  // Generous for a household or office behind one NAT (a tab holds one), and
  // still keeps one host from taking a noticeable share of maxConnections.
  maxConnectionsPerAddress: 100,
  maxChannelsPerSocket: 100,
  maxPayloadBytes: 10 * 1024,
  maxMessageBytes: 16 * 1024,
  maxBodyBytes: 256 * 1024,
  bodyTimeoutMs: 10_000,
  maxSendBufferBytes: 1024 * 1024,
  maxPresenceMembers: 100,
  maxUserInfoBytes: 1024,
  maxChannelNameLength: 200,
  maxEventNameLength: 200,
  maxChannelsPerEvent: 100,
  maxBatchSize: 10,
  // A device that died without closing its socket (frozen, network cut) leaves
  // presence within activity + pong + one sweep: 30 + 10 + 5 = 45 s, so
  // senders stop waiting for a peer that is not there (soketi also says 30).
  activityTimeoutSec: 30,
  pongTimeoutSec: 10,
  maxTimestampSkewSec: 600,
});

export class LimitsError extends Error {
  readonly code = "invalid_limit";
}

/** Fills in defaults and refuses values that would silently disable a bound. */
export function resolveLimits(overrides: Partial<SignalingLimits>): SignalingLimits {
  const limits: SignalingLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof SignalingLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new LimitsError(`${key} must be a positive finite number`);
    }
    limits[key] = value;
  }
  return limits;
}
