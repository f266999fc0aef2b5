import { connect as tcpConnect, type Socket } from "node:net";
import WebSocket from "ws";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { signChannel } from "../signaling/support/clients";
import { RawClient } from "../signaling/support/raw-client";
import { APP } from "../signaling/support/targets";

// Attacks on the built-in signaling server's WebSocket and HTTP API (issue
// 10): one address taking every connection, public channels that cost memory
// and need no authorization, pages of other sites opening sockets with the
// visitor's browser, and request bodies trickled to hold sockets open.

jest.setTimeout(30_000);

const running: PusherServer[] = [];
const sockets: { close(): void }[] = [];

async function start(opts: Omit<Parameters<typeof createPusherServer>[0], "app"> = {}): Promise<{ server: PusherServer; port: number }> {
  const server = createPusherServer({ app: APP, ...opts });
  running.push(server);
  const { port } = await server.listen(0);
  return { server, port };
}

async function raw(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port, APP.key);
  sockets.push(client);
  return client;
}

/** Opens a WebSocket with an Origin header; resolves with how the server answered the upgrade. */
function openWithOrigin(port: number, origin: string | undefined): Promise<{ upgraded: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}?protocol=7`, { perMessageDeflate: false, ...(origin ? { origin } : {}) });
    sockets.push({ close: () => ws.terminate() });
    ws.once("open", () => resolve({ upgraded: true }));
    ws.once("unexpected-response", (_req, res) => resolve({ upgraded: false, status: res.statusCode }));
    ws.once("error", () => resolve({ upgraded: false }));
  });
}

/** Resolves when the TCP socket closes, or with "still open" after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<"closed" | "still open"> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve("closed");
    const timer = setTimeout(() => resolve("still open"), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve("closed");
    });
  });
}

/** Sends `head`, then one more piece every 100 ms (`piece` makes each, e.g. a chunk of a chunked body). */
function trickle(port: number, head: string, piece: () => string = () => "x"): { socket: Socket; received: () => string; stop: () => void } {
  const socket = tcpConnect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (d) => (received += d.toString()));
  socket.on("error", () => undefined);
  socket.write(head);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(piece());
  }, 100);
  const stop = () => {
    clearInterval(timer);
    socket.destroy();
  };
  sockets.push({ close: stop });
  return { socket, received: () => received, stop };
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe("connections per address", () => {
  it("are capped by default: the 101st connection from one address is refused with 4100, the others keep working", async () => {
    const { port } = await start();
    const open: RawClient[] = [];
    for (let i = 0; i < 100; i++) {
      const client = await raw(port);
      await client.socketId();
      open.push(client);
    }
    const extra = await raw(port);
    const closed = await extra.closed;
    expect(closed.code).toBe(4100);
    expect(extra.frames.find((f) => f.event === "pusher:error")?.data).toMatchObject({ code: 4100 });
    expect(await open[0]!.answersPing()).toBe(true);
    expect(await open[99]!.answersPing()).toBe(true);
  });

  it("can be set lower, and a closed connection frees its place", async () => {
    const { port } = await start({ maxConnectionsPerAddress: 2 });
    const first = await raw(port);
    await first.socketId();
    const second = await raw(port);
    await second.socketId();
    expect((await (await raw(port)).closed).code).toBe(4100);
    first.close();
    await first.closed;
    const again = await raw(port);
    expect(await again.socketId()).toMatch(/^\d+\.\d+$/);
  });
});

describe("public channels", () => {
  it("are refused: the app uses none, and each costs memory without any authorization", async () => {
    const { port, server } = await start();
    const client = await raw(port);
    await client.socketId();
    client.subscribe("public-anything");
    const refused = await client.nextEvent("pusher:subscription_error", "public-anything");
    expect(refused.data).toMatchObject({ type: "InvalidChannel" });
    expect(server.stats().channels).toBe(0);
    // Private and presence channels still work with a valid signature.
    const socketId = await client.socketId();
    client.subscribe("private-ok", signChannel(APP.secret, APP.key, socketId, "private-ok"));
    await client.nextEvent("pusher_internal:subscription_succeeded", "private-ok");
  });
});

describe("the Origin of a WebSocket upgrade", () => {
  it("must be one of the app's origins: another site's page cannot open a socket with the visitor's browser", async () => {
    const { port, server } = await start({ allowedOrigins: ["https://chat.example.org"] });
    expect(await openWithOrigin(port, "https://evil.example")).toEqual({ upgraded: false, status: 403 });
    expect(await openWithOrigin(port, "null")).toEqual({ upgraded: false, status: 403 });
    expect(await openWithOrigin(port, "https://chat.example.org.evil.example")).toEqual({ upgraded: false, status: 403 });
    expect(server.stats().connections).toBe(0);
    expect(await openWithOrigin(port, "https://chat.example.org")).toEqual({ upgraded: true });
    // Clients that are not browsers send no Origin; they could send any they like.
    expect(await openWithOrigin(port, undefined)).toEqual({ upgraded: true });
  });
});

describe("slow HTTP API request bodies", () => {
  it("a body trickled after a 413 does not keep the socket open", async () => {
    const { port } = await start({ maxBodyBytes: 1024 });
    // Chunked, so no Content-Length announces the excess: the 413 comes once 1 KiB has streamed in.
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const head = `POST /apps/${APP.id}/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk("x".repeat(2048))}`;
    const slow = trickle(port, head, () => chunk("x"));
    expect(await closedWithin(slow.socket, 5000)).toBe("closed");
    expect(slow.received()).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("a body that never finishes is cut off after the body timeout with 408", async () => {
    const { port } = await start({ bodyTimeoutMs: 1000 });
    const head = `POST /apps/${APP.id}/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    const slow = trickle(port, head);
    expect(await closedWithin(slow.socket, 5000)).toBe("closed");
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });
});
