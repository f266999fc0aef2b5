// One WebSocket connection speaking Pusher protocol 7: the handshake, the
// client->server events (ping/pong, subscribe, unsubscribe), refusal of
// everything else, and the heartbeat that closes sockets gone silent.
// Nothing a client sends may throw out of here: bad input earns an error
// frame, never a crash or an effect on another socket.

import type { RawData, WebSocket } from "ws";
import { verifyChannelAuth } from "./auth-signature";
import { channelKind, channelNameProblem } from "./channels";
import { Connection, type Hub } from "./hub";
import { parseChannelData } from "./presence";
import { CloseCode, pusherErrorFrame, subscriptionErrorFrame } from "./protocol-errors";

/** Protocol versions whose framing matches 7 closely enough to serve. */
const MIN_PROTOCOL = 5;
const MAX_PROTOCOL = 7;

const PONG_FRAME = JSON.stringify({ event: "pusher:pong", data: {} });
const PING_FRAME = JSON.stringify({ event: "pusher:ping", data: {} });

/**
 * Takes over a freshly upgraded socket. Refusals (unknown key, unsupported
 * protocol, over capacity) still complete the upgrade so the client gets the
 * protocol's error frame and close code, which is what pusher-js acts on.
 */
export function acceptConnection(hub: Hub, ws: WebSocket, appKey: string, protocol: string | null, address: string): void {
  // Errors on a socket (bad frames, resets) must never become uncaught.
  ws.on("error", () => undefined);
  const conn = new Connection(hub.newSocketId(), ws, Date.now(), address);

  if (appKey !== hub.app.key) {
    hub.closeWith(conn, CloseCode.AppDoesNotExist, pusherErrorFrame(CloseCode.AppDoesNotExist, `App key ${appKey} does not exist`));
    return;
  }
  const version = protocol === null ? MAX_PROTOCOL : Number(protocol);
  if (!Number.isInteger(version) || version < MIN_PROTOCOL || version > MAX_PROTOCOL) {
    hub.closeWith(conn, CloseCode.UnsupportedProtocol, pusherErrorFrame(CloseCode.UnsupportedProtocol, `Unsupported protocol version ${String(protocol)}`));
    return;
  }
  if (hub.connections.size >= hub.limits.maxConnections) {
    hub.logger.warn("signaling: over capacity, refusing connection", { connections: hub.connections.size });
    hub.closeWith(conn, CloseCode.OverCapacity, pusherErrorFrame(CloseCode.OverCapacity, "Over capacity"));
    return;
  }
  // 4100 as for the global cap: pusher-js backs off, then tries again.
  if (!hub.admit(address)) {
    hub.closeWith(conn, CloseCode.OverCapacity, pusherErrorFrame(CloseCode.OverCapacity, "Too many connections from this address"));
    return;
  }

  hub.connections.set(conn.id, conn);
  ws.on("message", (raw: RawData, isBinary: boolean) => onMessage(hub, conn, raw, isBinary));
  ws.on("pong", () => touch(conn));
  ws.on("close", () => {
    conn.closed = true;
    hub.connections.delete(conn.id);
    hub.release(address);
    hub.leaveAll(conn);
  });
  hub.send(
    conn,
    JSON.stringify({
      event: "pusher:connection_established",
      data: JSON.stringify({ socket_id: conn.id, activity_timeout: hub.limits.activityTimeoutSec }),
    }),
  );
}

function touch(conn: Connection): void {
  conn.lastSeen = Date.now();
  conn.pingSentAt = 0;
}

function onMessage(hub: Hub, conn: Connection, raw: RawData, isBinary: boolean): void {
  touch(conn);
  try {
    if (isBinary) {
      hub.send(conn, pusherErrorFrame(null, "Binary frames are not supported"));
      return;
    }
    const text = Array.isArray(raw) ? Buffer.concat(raw).toString("utf8") : Buffer.from(raw as ArrayBuffer).toString("utf8");
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      hub.send(conn, pusherErrorFrame(null, "Message is not valid JSON"));
      return;
    }
    if (typeof message !== "object" || message === null || typeof (message as { event?: unknown }).event !== "string") {
      hub.send(conn, pusherErrorFrame(null, "Message must be a JSON object with a string `event`"));
      return;
    }
    dispatch(hub, conn, message as { event: string; data?: unknown; channel?: unknown });
  } catch (err) {
    // A bug of ours must cost this one message, not the process.
    hub.logger.warn("signaling: message handler failed", { socketId: conn.id, error: err instanceof Error ? err.message : String(err) });
  }
}

function dispatch(hub: Hub, conn: Connection, message: { event: string; data?: unknown; channel?: unknown }): void {
  switch (message.event) {
    case "pusher:ping":
      hub.send(conn, PONG_FRAME);
      return;
    case "pusher:pong":
      return; // touch() already recorded it
    case "pusher:subscribe":
      subscribe(hub, conn, eventData(message.data));
      return;
    case "pusher:unsubscribe": {
      const channel = eventData(message.data)?.channel;
      if (typeof channel === "string") hub.leave(conn, channel);
      return;
    }
    default:
      if (message.event.startsWith("client-")) {
        const channel = typeof message.channel === "string" ? message.channel : undefined;
        hub.send(conn, pusherErrorFrame(CloseCode.ClientEventRejected, "Client events are not enabled for this app", channel));
        return;
      }
      hub.send(conn, pusherErrorFrame(null, `Unsupported event: ${message.event.slice(0, 64)}`));
  }
}

/** `data` of client events is an object; tolerate clients that send it as a JSON string. */
function eventData(data: unknown): Record<string, unknown> | null {
  if (typeof data === "string") {
    try {
      data = JSON.parse(data);
    } catch {
      return null;
    }
  }
  return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
}

function subscribe(hub: Hub, conn: Connection, data: Record<string, unknown> | null): void {
  const channel = data?.channel;
  const problem = channelNameProblem(channel, hub.limits.maxChannelNameLength);
  if (problem !== null || typeof channel !== "string") {
    const name = typeof channel === "string" ? channel.slice(0, hub.limits.maxChannelNameLength) : "";
    if (name && problem?.includes("longer")) {
      hub.send(conn, subscriptionErrorFrame(name, "LimitReached", problem, 4009));
    } else if (name) {
      hub.send(conn, subscriptionErrorFrame(name, "InvalidChannel", problem ?? "Invalid channel", 4009));
    } else {
      hub.send(conn, pusherErrorFrame(null, "pusher:subscribe needs data.channel"));
    }
    return;
  }
  const kind = channelKind(channel);
  const channelData = typeof data?.channel_data === "string" ? data.channel_data : undefined;
  if (kind === "public" && !hub.policy.publicChannels) {
    hub.send(conn, subscriptionErrorFrame(channel, "InvalidChannel", "Public channels are not enabled on this server", 4009));
    return;
  }

  if (kind !== "public") {
    const signed = kind === "presence" ? channelData : undefined;
    if (!verifyChannelAuth(hub.app, conn.id, channel, data?.auth, signed)) {
      hub.send(conn, subscriptionErrorFrame(channel, "AuthError", "Invalid signature", 401));
      return;
    }
  }

  if (conn.channels?.has(channel)) {
    // Already on it (e.g. a client retrying): confirm again, change nothing.
    sendSucceeded(hub, conn, channel);
    return;
  }
  if ((conn.channels?.size ?? 0) >= hub.limits.maxChannelsPerSocket) {
    hub.send(conn, subscriptionErrorFrame(channel, "LimitReached", `A socket may be on at most ${hub.limits.maxChannelsPerSocket} channels`, 4301));
    return;
  }

  let userId: string | null = null;
  let userInfo: unknown;
  if (kind === "presence") {
    const parsed = parseChannelData(channelData, hub.limits.maxUserInfoBytes);
    if (!parsed.ok) {
      hub.send(conn, subscriptionErrorFrame(channel, "InvalidChannelData", parsed.error, 4301));
      return;
    }
    const existing = hub.channels.get(channel)?.roster;
    if (existing && !existing.has(parsed.member.userId) && existing.size >= hub.limits.maxPresenceMembers) {
      hub.send(conn, subscriptionErrorFrame(channel, "LimitReached", `Presence channels hold at most ${hub.limits.maxPresenceMembers} members`, 4100));
      return;
    }
    userId = parsed.member.userId;
    userInfo = parsed.member.userInfo;
  }

  const state = hub.channels.getOrCreate(channel);
  state.subscribers.add(conn);
  if (!conn.channels) conn.channels = new Map();
  conn.channels.set(channel, userId);

  if (userId !== null && state.roster?.add({ userId, userInfo })) {
    const frame = JSON.stringify({
      event: "pusher_internal:member_added",
      channel,
      data: JSON.stringify({ user_id: userId, user_info: userInfo ?? null }),
    });
    for (const other of state.subscribers) if (other !== conn) hub.send(other, frame);
    hub.presenceChanged({ type: "member_added", channel, userId });
  }
  sendSucceeded(hub, conn, channel);
}

function sendSucceeded(hub: Hub, conn: Connection, channel: string): void {
  const roster = hub.channels.get(channel)?.roster;
  const data = roster ? JSON.stringify({ presence: roster.snapshot() }) : "{}";
  hub.send(conn, JSON.stringify({ event: "pusher_internal:subscription_succeeded", channel, data }));
}

/**
 * One timer for all sockets (not one per socket, which would cost memory per
 * connection): pings sockets silent for activity_timeout and closes, with
 * 4201, those that then stay silent for pong_timeout.
 */
export function startHeartbeat(hub: Hub): () => void {
  const activityMs = hub.limits.activityTimeoutSec * 1000;
  const pongMs = hub.limits.pongTimeoutSec * 1000;
  const sweepMs = Math.min(5000, Math.max(100, Math.min(activityMs, pongMs) / 4));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const conn of hub.connections.values()) {
      if (conn.closed) continue;
      if (conn.pingSentAt !== 0) {
        if (now - conn.pingSentAt >= pongMs) {
          hub.closeWith(conn, CloseCode.PongNotReceived, pusherErrorFrame(CloseCode.PongNotReceived, "Pong reply not received"));
        }
      } else if (now - conn.lastSeen >= activityMs) {
        conn.pingSentAt = now;
        hub.send(conn, PING_FRAME);
      }
    }
  }, sweepMs);
  timer.unref();
  return () => clearInterval(timer);
}
