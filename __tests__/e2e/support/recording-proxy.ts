// A recording reverse proxy for the end-to-end tests. Browsers talk to it
// instead of the app; it forwards everything (HTTP and the /app/... WebSocket
// of pusher-js) and keeps a decoded copy of all the server received and sent,
// so that a test can assert that no message text, in any encoding, ever
// passed through the server.
//
// Usage: start the proxy before the app, on the port the app will get, and
// give the app NEXTAUTH_URL=proxy.url (startApp's extraEnv: PORT and
// NEXTAUTH_URL), so that next-auth's redirects keep the browser on the proxy.
// Host is forwarded unchanged and Set-Cookie passes through, so cookies bind
// to the address the browser uses. The built-in signaling is same-origin, so
// pusher-js's WebSocket goes through the proxy too.
//
// Decoding: request heads are recorded as forwarded, bodies de-chunked and
// decompressed (the proxy also asks the app for identity encoding), and
// WebSocket traffic as whole messages, unmasked and reassembled. Helpers
// live in ./recording-proxy/.

import { Agent, createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { forwardHttp } from "./recording-proxy/http-forward";
import { findLeaksIn } from "./recording-proxy/leak-search";
import type { LeakHit, ProxyRecord } from "./recording-proxy/types";
import { relayUpgrade } from "./recording-proxy/websocket-relay";

export type { Direction, LeakHit, ProxyRecord, RecordKind } from "./recording-proxy/types";
export { MIN_NEEDLE_BYTES, needleEncodings } from "./recording-proxy/leak-search";

export interface RecordingProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every decoded payload seen so far, in order, with direction and where it came from. */
  records(): ProxyRecord[];
  /** Searches all records for `needle` in every encoding of needleEncodings(); returns the hits (empty = clean). */
  findLeaks(needle: string): LeakHit[];
  /** Destroys every connection and stops listening; safe to call twice. */
  close(): Promise<void>;
}

/** Sockets on both sides, so that close() can end them all even mid-exchange. */
function socketTracker() {
  const sockets = new Set<Socket>();
  return {
    track(socket: Socket): void {
      // Keep-alive sockets are handed out again for every request: register once.
      if (sockets.has(socket)) return;
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    },
    destroyAll(): void {
      for (const socket of sockets) socket.destroy();
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export async function startRecordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  const log: ProxyRecord[] = [];
  const record = (entry: ProxyRecord) => void log.push(entry);
  const sockets = socketTracker();
  // One upstream connection per request: a reused idle connection can be
  // closed by the app just as a request goes out, which would show as a
  // spurious 502 in a test. Loopback connections are cheap.
  const agent = new Agent({ keepAlive: false });

  const server = createServer((req, res) => forwardHttp(req, res, { target, agent, record, track: sockets.track }));
  server.on("connection", (socket: Socket) => {
    sockets.track(socket);
    // Client resets (ECONNRESET, EPIPE) must not become uncaught errors in the test process.
    socket.on("error", () => socket.destroy());
  });
  server.on("upgrade", (req, socket: Socket, head: Buffer) => relayUpgrade(req, socket, head, { target, record, track: sockets.track }));
  server.on("clientError", (_error, socket) => socket.destroy());
  const port = await listen(server);

  let closing: Promise<void> | undefined;
  const shutdown = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    sockets.destroyAll();
    agent.destroy();
    await closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records: () => [...log],
    findLeaks: (needle) => findLeaksIn(log, needle),
    close: () => (closing ??= shutdown()),
  };
}
