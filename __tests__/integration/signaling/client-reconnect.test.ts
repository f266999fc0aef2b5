import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { connectSignaling, type SignalingClient, type SignalingState } from "@/lib/signaling/client";
import { signChannel } from "./support/clients";
import { APP } from "./support/targets";

// The page's signaling client (lib/signaling/client.ts, with the official
// pusher-js) against the built-in server on a real port: it reports the
// server going away, comes back by itself when the server does, with a
// backoff rather than a stream of attempts, and is subscribed again.

jest.setTimeout(60_000);

const NICK = "dana";
const DEVICE = "cdanaphone0000000000000001";
let host: Server;
let signaling: PusherServer;
let port: number;
const sockets = new Set<Socket>();
const clients: SignalingClient[] = [];

/** The built-in server mounted on an http.Server, as server.ts does. */
async function serve(listenPort = 0): Promise<void> {
  signaling = createPusherServer({ app: APP });
  host = createServer((req, res) => {
    if (!signaling.handleHttp(req, res)) res.writeHead(404).end();
  });
  host.on("upgrade", (req, socket, head) => {
    if (!signaling.handleUpgrade(req, socket, head)) socket.destroy();
  });
  host.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => host.listen(listenPort, "127.0.0.1", resolve));
  port = (host.address() as AddressInfo).port;
}

async function shutDown(): Promise<void> {
  await signaling.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => host.close(() => resolve()));
}

function client(): { client: SignalingClient; states: SignalingState[] } {
  const states: SignalingState[] = [];
  const made = connectSignaling({
    config: { kind: "host", key: APP.key, wsHost: "127.0.0.1", wsPort: port, forceTLS: false },
    nickname: NICK,
    deviceId: DEVICE,
    location: { hostname: "127.0.0.1", port: String(port), protocol: "http:" },
    // What POST /api/pusher/auth answers for this device's own presence channel.
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        const channelData = JSON.stringify({ user_id: DEVICE, user_info: { deviceName: "phone", home: false } });
        callback(null, { auth: signChannel(APP.secret, APP.key, socketId, channelName, channelData), channel_data: channelData });
      },
    },
  });
  made.onState((s) => states.push(s));
  clients.push(made);
  return { client: made, states };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(() => serve());
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await shutDown().catch(() => undefined);
});

it("connects and subscribes to its own presence channel", async () => {
  const { client: c } = client();
  await until(() => c.state() === "connected", 10_000, "connected");
  expect(signaling.presenceUserIds(`presence-user-${NICK}`)).toEqual([DEVICE]);
});

it("says the server is gone, and is back and subscribed again by itself when it returns", async () => {
  const { client: c, states } = client();
  await until(() => c.state() === "connected", 10_000, "connected");
  await shutDown();
  await until(() => c.state() !== "connected", 10_000, "the client to notice the server is gone");
  await serve(port);
  await until(() => c.state() === "connected", 45_000, "the client to reconnect on its own");
  expect(signaling.presenceUserIds(`presence-user-${NICK}`)).toEqual([DEVICE]);
  expect(states[0]).toBe("connected");
  expect(states.at(-1)).toBe("connected");
  expect(states.some((s) => s === "connecting" || s === "unavailable" || s === "offline")).toBe(true);
});

it("backs off while the server stays away: at most a handful of attempts in 20 s, not a stream", async () => {
  const { client: c } = client();
  await until(() => c.state() === "connected", 10_000, "connected");
  await shutDown();
  // A listener on the same port that refuses every WebSocket: each attempt is one TCP connection.
  let attempts = 0;
  const refuser = createServer((_req, res) => res.writeHead(503).end());
  refuser.on("upgrade", (_req, socket) => socket.destroy());
  refuser.on("connection", () => (attempts += 1));
  await new Promise<void>((resolve) => refuser.listen(port, "127.0.0.1", resolve));
  try {
    const start = Date.now();
    await until(() => Date.now() - start >= 20_000, 25_000, "20 s of refusals");
    // It keeps trying (the previous test shows it gets back in), but spaced out.
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(12);
    expect(c.state()).not.toBe("connected");
  } finally {
    refuser.closeAllConnections();
    await new Promise<void>((resolve) => refuser.close(() => resolve()));
  }
  // afterEach shuts down a server that is already gone: serve again for it.
  await serve(port);
});

it("stops, saying so, when the server no longer knows the session (401 from the auth endpoint)", async () => {
  // POST /api/pusher/auth as the app answers a revoked device's or signed-out session's cookie.
  let authCalls = 0;
  const auth = createServer((_req, res) => {
    authCalls += 1;
    res.writeHead(401, { "content-type": "application/json" }).end('{"error":{"code":"unauthorized","message":"Sign in first."}}');
  });
  await new Promise<void>((resolve) => auth.listen(0, "127.0.0.1", resolve));
  try {
    const states: SignalingState[] = [];
    const c = connectSignaling({
      config: { kind: "host", key: APP.key, wsHost: "127.0.0.1", wsPort: port, forceTLS: false },
      nickname: NICK,
      deviceId: DEVICE,
      location: { hostname: "127.0.0.1", port: String(port), protocol: "http:" },
      channelAuthorization: { transport: "ajax", endpoint: `http://127.0.0.1:${(auth.address() as AddressInfo).port}/api/pusher/auth` },
    });
    clients.push(c);
    c.onState((s) => states.push(s));
    await until(() => c.state() === "ended", 10_000, "the client to give up");
    const calls = authCalls;
    // A fresh socket to the server after that would mean it is still trying: the server counts none.
    await until(() => signaling.stats().connections === 0, 5_000, "the client's socket to close");
    expect(states.at(-1)).toBe("ended");
    expect(calls).toBe(1);
  } finally {
    await new Promise<void>((resolve) => auth.close(() => resolve()));
  }
});
