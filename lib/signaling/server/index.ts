// The built-in Pusher-protocol server: a small, protocol-faithful stand-in
// for hosted Pusher / soketi on one machine. It attaches to an existing
// http.Server (handleUpgrade/handleHttp) or listens on its own (listen).
// All configuration comes from the options; this module never reads the
// environment. See docs/signaling-server.md.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { Hub, type PresenceChange, type PusherAppConfig, type SignalingLogger } from "./hub";
import { resolveLimits, type SignalingLimits } from "./limits";
import { CloseCode, pusherErrorFrame } from "./protocol-errors";
import { handleRest, isRestPath } from "./rest-api";
import { acceptConnection, startHeartbeat } from "./websocket-handler";

export type { PusherAppConfig, PresenceChange, SignalingLogger } from "./hub";
export type { SignalingLimits } from "./limits";
export { DEFAULT_LIMITS } from "./limits";

export interface PusherServerOptions extends Partial<SignalingLimits> {
  app: PusherAppConfig;
  logger?: SignalingLogger;
  /** Called after a presence member first joins or finally leaves a channel. */
  onPresenceChange?: (change: PresenceChange) => void;
  /**
   * Origins (scheme://host[:port]) whose pages may open a socket; an upgrade
   * with any other Origin header is refused with 403, so another site's page
   * cannot use its visitors' browsers. Upgrades without Origin (clients that
   * are not browsers, which could send any Origin) pass. Unset: any origin.
   */
  allowedOrigins?: readonly string[];
  /** Public channels need no authorization; off unless a deployment needs them. */
  publicChannels?: boolean;
  /** The client's address, for maxConnectionsPerAddress; defaults to the socket's. */
  clientAddress?: (req: IncomingMessage) => string;
}

export interface PusherServer {
  /** Takes over `GET /app/:key` upgrades; false (socket untouched) for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Serves `/apps/...`; false (response untouched) for any other path. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /** Standalone mode: its own http.Server on host (default 127.0.0.1); port 0 picks one. */
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** In-process publish, same effect as POST /apps/:id/events; returns sockets reached. */
  publish(channels: string[], event: string, data: string, exceptSocketId?: string): number;
  /** Current presence user ids of a channel (empty when nobody is there). */
  presenceUserIds(channel: string): string[];
  stats(): { connections: number; channels: number };
  /** Closes every socket with 4200 (reconnect) and stops; safe to call twice. */
  close(): Promise<void>;
}

const APP_PATH = /^\/app\/([^/?]+)\/?(?:\?|$)/;

const socketAddress = (req: IncomingMessage) => req.socket.remoteAddress ?? "unknown";

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
/** How long close() waits for clients to finish the close handshake. */
const CLOSE_GRACE_MS = 1000;

export function createPusherServer(opts: PusherServerOptions): PusherServer {
  const { app, logger = { warn: () => undefined }, onPresenceChange, allowedOrigins, publicChannels = false, clientAddress = socketAddress, ...limitOverrides } = opts;
  if (!app?.id || !app.key || !app.secret) throw new Error("createPusherServer: app.id, app.key and app.secret are required");
  const limits = resolveLimits(limitOverrides);
  const hub = new Hub(app, limits, logger, { publicChannels }, onPresenceChange);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
    clientTracking: false,
  });
  const stopHeartbeat = startHeartbeat(hub);
  let standalone: Server | null = null;
  let closing: Promise<void> | null = null;

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = APP_PATH.exec(req.url ?? "");
    if (!match) return false;
    if (closing) {
      socket.destroy();
      return true;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    let key: string;
    try {
      key = decodeURIComponent(match[1] ?? "");
    } catch {
      key = "";
    }
    const protocol = url.searchParams.get("protocol");
    socket.on("error", () => undefined);
    const origin = req.headers.origin;
    if (allowedOrigins && origin !== undefined && !allowedOrigins.includes(origin)) {
      refuseUpgrade(socket, 403, "Forbidden");
      return true;
    }
    const address = clientAddress(req);
    wss.handleUpgrade(req, socket, head, (ws) => acceptConnection(hub, ws, key, protocol, address));
    return true;
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    if (!isRestPath(req.url)) return false;
    handleRest(hub, req, res);
    return true;
  }

  async function listen(port: number, host = "127.0.0.1"): Promise<{ port: number }> {
    if (standalone) throw new Error("PusherServer.listen: already listening");
    const server = createServer((req, res) => {
      if (!handleHttp(req, res)) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not found");
      }
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!handleUpgrade(req, socket, head)) socket.destroy();
    });
    server.on("clientError", (_err, socket) => socket.destroy());
    // Whole requests, headers included, have bounded time (Node's defaults are minutes).
    server.requestTimeout = limits.bodyTimeoutMs * 2;
    server.headersTimeout = limits.bodyTimeoutMs;
    standalone = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    return { port: typeof address === "object" && address ? address.port : port };
  }

  function close(): Promise<void> {
    if (closing) return closing;
    closing = (async () => {
      stopHeartbeat();
      const sockets = [...hub.connections.values()];
      const frame = pusherErrorFrame(CloseCode.ReconnectImmediately, "Server is shutting down, reconnect");
      for (const conn of sockets) hub.closeWith(conn, CloseCode.ReconnectImmediately, frame);
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (hub.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const conn of hub.connections.values()) conn.ws.terminate();
      hub.connections.clear();
      wss.close();
      if (standalone) {
        const server = standalone;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    })();
    return closing;
  }

  return {
    handleUpgrade,
    handleHttp,
    listen,
    publish: (channels, event, data, exceptSocketId) =>
      channels.reduce((n, channel) => n + hub.publish(channel, event, data, exceptSocketId), 0),
    presenceUserIds: (channel) => hub.channels.get(channel)?.roster?.userIds() ?? [],
    stats: () => ({ connections: hub.connections.size, channels: hub.channels.size }),
    close,
  };
}
