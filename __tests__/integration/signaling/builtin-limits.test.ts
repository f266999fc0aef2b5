// The built-in server's own guarantees, beyond what soketi can be compared
// on: every bound holds, dead sockets are closed, garbage never crashes it,
// and it embeds in a host http.Server the way server.ts uses it.

import { createServer, type Server } from "node:http";
import { createPusherServer, type PresenceChange, type PusherServer } from "@/lib/signaling/server";
import { resolveLimits } from "@/lib/signaling/server/limits";
import { restClient, signChannel, signedRequest } from "./support/clients";
import { RawClient, sleep } from "./support/raw-client";
import { APP, type Target } from "./support/targets";

jest.setTimeout(30_000);

const running: PusherServer[] = [];
const clients: RawClient[] = [];

async function start(opts: Parameters<typeof createPusherServer>[0] extends infer O ? Omit<O & object, "app"> : never = {}): Promise<Target & { server: PusherServer }> {
  const server = createPusherServer({ app: APP, ...opts });
  running.push(server);
  const { port } = await server.listen(0);
  return { name: "builtin", port, app: APP, server, stop: () => server.close() };
}

async function connect(target: Target): Promise<RawClient> {
  const client = await RawClient.connect(target.port, target.app.key);
  clients.push(client);
  return client;
}

async function subscribed(target: Target, channel: string): Promise<RawClient> {
  const client = await connect(target);
  const socketId = await client.socketId();
  client.subscribe(channel, signChannel(target.app.secret, target.app.key, socketId, channel));
  await client.nextEvent("pusher_internal:subscription_succeeded", channel);
  return client;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

test("a socket that stops answering pings is closed with 4201; one that answers stays", async () => {
  const target = await start({ activityTimeoutSec: 0.3, pongTimeoutSec: 0.3 });
  const silent = await connect(target);
  const established = await silent.nextEvent("pusher:connection_established");
  expect(JSON.parse(String(established.data))).toMatchObject({ activity_timeout: 0.3 });
  const lively = await connect(target);
  await lively.socketId();
  // The lively client answers every pusher:ping, as pusher-js does.
  lively.ws.on("message", (raw) => {
    if (String(raw).includes('"pusher:ping"')) lively.send({ event: "pusher:pong", data: {} });
  });
  await silent.nextEvent("pusher:ping", undefined, 2000);
  const closed = await silent.closed;
  expect(closed.code).toBe(4201);
  expect(silent.frames.find((f) => f.event === "pusher:error")?.data).toMatchObject({ code: 4201 });
  // Three more ping rounds after the silent one went: the lively one is still there.
  const pings = () => lively.frames.filter((f) => f.event === "pusher:ping").length;
  const seen = pings();
  await waitUntil(() => pings() >= seen + 3, 5_000, "three more pings to the lively socket");
  expect(await lively.answersPing()).toBe(true);
  expect(target.server.stats().connections).toBe(1);
});

test("a presence member that stops answering leaves presence: member_removed to the others and gone from the HTTP API", async () => {
  const target = await start({ activityTimeoutSec: 0.3, pongTimeoutSec: 0.3 });
  async function member(id: string): Promise<RawClient> {
    const client = await connect(target);
    const socketId = await client.socketId();
    const channelData = JSON.stringify({ user_id: id, user_info: {} });
    client.subscribe("presence-user-dana", signChannel(APP.secret, APP.key, socketId, "presence-user-dana", channelData), channelData);
    await client.nextEvent("pusher_internal:subscription_succeeded", "presence-user-dana");
    return client;
  }
  const users = async () => ((await (await restClient(target).get({ path: "/channels/presence-user-dana/users" })).json()) as { users: { id: string }[] }).users.map((u) => u.id);
  const lively = await member("phone");
  lively.ws.on("message", (raw) => {
    if (String(raw).includes('"pusher:ping"')) lively.send({ event: "pusher:pong", data: {} });
  });
  // The "laptop" is frozen: its socket stays open and never answers again.
  const frozen = await member("laptop");
  frozen.ws.pause();
  expect((await users()).sort()).toEqual(["laptop", "phone"]);
  const removed = await lively.next((f) => f.event === "pusher_internal:member_removed", 5_000);
  expect(JSON.parse(String(removed.data))).toEqual({ user_id: "laptop" });
  expect(await users()).toEqual(["phone"]);
});

test("by default a dead device leaves presence within 45 s (activity 30 s + pong 10 s + one sweep)", () => {
  const { activityTimeoutSec, pongTimeoutSec } = resolveLimits({});
  const sweepSec = Math.min(5, Math.min(activityTimeoutSec, pongTimeoutSec) / 4);
  expect(activityTimeoutSec + pongTimeoutSec + sweepSec).toBeLessThanOrEqual(45);
});

test("a socket may hold at most maxChannelsPerSocket channels", async () => {
  // Public channels (off by default) are the simplest to fill a socket with.
  const target = await start({ maxChannelsPerSocket: 2, publicChannels: true });
  const client = await connect(target);
  await client.socketId();
  for (const c of ["public-1", "public-2", "public-3"]) client.subscribe(c);
  const refused = await client.nextEvent("pusher:subscription_error", "public-3");
  expect(refused.data).toMatchObject({ type: "LimitReached" });
  expect(client.frames.filter((f) => f.event === "pusher_internal:subscription_succeeded")).toHaveLength(2);
});

test("a presence channel holds at most maxPresenceMembers, and user_info is capped", async () => {
  const target = await start({ maxPresenceMembers: 1, maxUserInfoBytes: 64 });
  const join = async (userId: string, info: unknown) => {
    const client = await connect(target);
    const socketId = await client.socketId();
    const channelData = JSON.stringify({ user_id: userId, user_info: info });
    client.subscribe("presence-small", signChannel(APP.secret, APP.key, socketId, "presence-small", channelData), channelData);
    return client.next((f) => f.channel === "presence-small");
  };
  expect((await join("a", { d: "x".repeat(100) })).data).toMatchObject({ type: "InvalidChannelData" });
  expect((await join("a", { d: "ok" })).event).toBe("pusher_internal:subscription_succeeded");
  expect((await join("b", { d: "ok" })).data).toMatchObject({ type: "LimitReached" });
});

test("HTTP API bodies past maxBodyBytes get 413; unknown routes 404; wrong methods 405", async () => {
  const target = await start({ maxBodyBytes: 1024 });
  const big = JSON.stringify({ name: "signal", channel: "private-x", data: "x".repeat(2000) });
  expect((await signedRequest(target, "POST", `/apps/${APP.id}/events`, { body: big })).status).toBe(413);
  expect((await signedRequest(target, "GET", `/apps/${APP.id}/nothing-here`)).status).toBe(404);
  expect((await signedRequest(target, "GET", `/apps/${APP.id}/events`)).status).toBe(405);
  // A body streamed without Content-Length is capped too.
  const res = await fetch(`http://127.0.0.1:${target.port}/apps/${APP.id}/events?auth_key=x`, {
    method: "POST",
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x".repeat(4096)));
        controller.close();
      },
    }),
    duplex: "half",
  } as RequestInit);
  expect(res.status).toBe(413);
});

test("timestamps within maxTimestampSkewSec pass, beyond it fail", async () => {
  const target = await start({ maxTimestampSkewSec: 60 });
  const body = JSON.stringify({ name: "signal", channel: "private-x", data: "{}" });
  const now = Math.floor(Date.now() / 1000);
  const path = `/apps/${APP.id}/events`;
  expect((await signedRequest(target, "POST", path, { body, timestamp: now - 50 })).status).toBe(200);
  expect((await signedRequest(target, "POST", path, { body, timestamp: now + 50 })).status).toBe(200);
  expect((await signedRequest(target, "POST", path, { body, timestamp: now - 70 })).status).toBe(401);
  expect((await signedRequest(target, "POST", path, { body, timestamp: now + 70 })).status).toBe(401);
});

test("a consumer that stops reading is dropped once its send buffer passes the bound; others keep receiving", async () => {
  const target = await start({ maxSendBufferBytes: 64 * 1024 });
  const slow = await subscribed(target, "private-firehose");
  const healthy = await subscribed(target, "private-firehose");
  const socket = (slow.ws as unknown as { _socket: { pause(): void } })._socket;
  socket.pause(); // stop reading: the kernel buffers fill, then the server's queue grows
  let healthyCount = 0;
  healthy.ws.on("message", () => (healthyCount += 1));
  const data = "y".repeat(10_000);
  // ~40 MB: more than loopback's kernel buffers can absorb for the paused reader.
  for (let i = 0; i < 4000 && target.server.stats().connections === 2; i++) {
    target.server.publish(["private-firehose"], "signal", data);
    if (i % 50 === 0) await sleep(5);
  }
  await waitUntil(() => target.server.stats().connections === 1, 5_000, "the slow consumer to be dropped");
  expect(target.server.stats().connections).toBe(1);
  expect(healthyCount).toBeGreaterThan(0);
});

test("garbage of every kind never crashes the server or disturbs other sockets", async () => {
  const target = await start({ maxMessageBytes: 4096 });
  const witness = await subscribed(target, "private-witness");
  const junk: (string | Buffer)[] = [
    "",
    "\u0000\u0001\u0002",
    "[".repeat(5000).slice(0, 4000),
    '{"event":"pusher:subscribe","data":null}',
    '{"event":"pusher:subscribe","data":"not json"}',
    '{"event":"pusher:subscribe","data":{"channel":{"x":1}}}',
    '{"event":"pusher:subscribe","data":{"channel":"bad channel name!"}}',
    '{"event":"pusher:subscribe","data":{"channel":"presence-x","auth":42,"channel_data":{}}}',
    '{"event":"pusher:unsubscribe","data":{"channel":"never-subscribed"}}',
    '{"event":"pusher:unsubscribe"}',
    '{"event":"__proto__","data":{"__proto__":{"polluted":true}}}',
    JSON.stringify({ event: "pusher:subscribe", data: { channel: "x".repeat(300) } }),
  ];
  for (let round = 0; round < 3; round++) {
    const offender = await connect(target);
    await offender.socketId();
    for (const frame of junk) offender.send(frame);
    offender.ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
    // Handled in order: once a ping after the junk is answered (or the offender is closed), the junk was processed.
    await Promise.race([offender.sync(), offender.closed]);
  }
  // Invalid UTF-8 in a text frame and an oversized frame close only the offender.
  const badUtf8 = await connect(target);
  await badUtf8.socketId();
  badUtf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  expect((await badUtf8.closed).code).toBe(1007);
  const huge = await connect(target);
  await huge.socketId();
  huge.send("z".repeat(10_000));
  expect((await huge.closed).code).toBe(1009);

  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  await restClient(target).trigger("private-witness", "signal", { still: "here" });
  const got = await witness.nextEvent("signal", "private-witness");
  expect(JSON.parse(String(got.data))).toEqual({ still: "here" });
});

test("embeds in a host http.Server: only /app/ and /apps/ are taken, the rest falls through", async () => {
  const signaling = createPusherServer({ app: APP });
  running.push(signaling);
  const host: Server = createServer((req, res) => {
    if (signaling.handleHttp(req, res)) return;
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("next.js would answer this");
  });
  host.on("upgrade", (req, socket, head) => {
    if (!signaling.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  try {
    const address = host.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const target: Target = { name: "builtin", port, app: APP, stop: async () => undefined };
    expect(await (await fetch(`http://127.0.0.1:${port}/some/page`)).text()).toBe("next.js would answer this");
    expect(await (await fetch(`http://127.0.0.1:${port}/application`)).text()).toBe("next.js would answer this");
    const client = await subscribed(target, "private-embedded");
    await restClient(target).trigger("private-embedded", "signal", { ok: true });
    expect((await client.nextEvent("signal")).channel).toBe("private-embedded");
  } finally {
    // Upgraded sockets are no longer the http.Server's: close them first.
    for (const c of clients.splice(0)) c.close();
    await signaling.close();
    host.closeAllConnections();
    await new Promise<void>((resolve) => host.close(() => resolve()));
  }
});

test("in-process publish, presence ids and the presence hook", async () => {
  const changes: PresenceChange[] = [];
  const server = createPusherServer({ app: APP, onPresenceChange: (c) => changes.push(c) });
  running.push(server);
  const { port } = await server.listen(0);
  const target: Target = { name: "builtin", port, app: APP, stop: () => server.close() };
  const client = await connect(target);
  const socketId = await client.socketId();
  const channelData = JSON.stringify({ user_id: "dev-1", user_info: { deviceName: "d", home: "h" } });
  client.subscribe("presence-user-x", signChannel(APP.secret, APP.key, socketId, "presence-user-x", channelData), channelData);
  await client.nextEvent("pusher_internal:subscription_succeeded", "presence-user-x");
  expect(server.presenceUserIds("presence-user-x")).toEqual(["dev-1"]);
  expect(server.publish(["presence-user-x"], "signal", '{"a":1}')).toBe(1);
  expect(server.publish(["presence-user-x"], "signal", '{"a":2}', socketId)).toBe(0);
  expect((await client.nextEvent("signal")).data).toBe('{"a":1}');
  client.send({ event: "pusher:unsubscribe", data: { channel: "presence-user-x" } });
  await waitUntil(() => changes.length === 2, 5_000, "the member_removed change");
  expect(changes).toEqual([
    { type: "member_added", channel: "presence-user-x", userId: "dev-1" },
    { type: "member_removed", channel: "presence-user-x", userId: "dev-1" },
  ]);
  expect(server.stats()).toEqual({ connections: 1, channels: 0 });
});

test("close() tells clients to reconnect (4200), frees everything, and is safe twice", async () => {
  const target = await start();
  const client = await subscribed(target, "private-bye");
  await Promise.all([target.server.close(), target.server.close()]);
  expect((await client.closed).code).toBe(4200);
  expect(target.server.stats()).toMatchObject({ connections: 0 });
});

test("options are validated", () => {
  expect(() => createPusherServer({ app: { id: "", key: "k", secret: "s" } })).toThrow();
  expect(() => createPusherServer({ app: APP, maxConnections: 0 })).toThrow(/maxConnections/);
  expect(() => createPusherServer({ app: APP, maxPayloadBytes: Number.NaN })).toThrow(/maxPayloadBytes/);
});
