import type PusherJs from "pusher-js";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { pusherClientFor } from "../../support/pusher-client";
import { migrate, params, request, sessionCookie, useTestDatabase } from "../../support/test-env";

// The product's use of signaling, end to end in one process: the real route
// handlers, the real built-in Pusher-protocol server on a loopback port, the
// official pusher-js client authorizing through POST /api/pusher/auth.

const database = useTestDatabase();
let signaling: PusherServer;
const app = { id: "4242", key: "route-test-key", secret: "route-test-secret" };

const authRoute = require("@/app/api/pusher/auth/route") as typeof import("@/app/api/pusher/auth/route");
const signalRoute = require("@/app/api/signal/route") as typeof import("@/app/api/signal/route");
const presenceRoute = require("@/app/api/users/[nickname]/presence/route") as typeof import("@/app/api/users/[nickname]/presence/route");
const deviceRoute = require("@/app/api/devices/[id]/route") as typeof import("@/app/api/devices/[id]/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit");

interface Actor {
  nickname: string;
  userId: string;
  deviceId: string;
  cookie: string;
  clients: InstanceType<typeof PusherJs>[];
}
const actors: Record<string, Actor> = {};

async function makeActor(nickname: string, home = false): Promise<Actor> {
  const user = await db().user.create({ data: { nickname, passwordHash: "$scrypt$unused" } });
  const device = await db().device.create({ data: { userId: user.id, name: `${nickname}'s laptop`, signPublicKey: "s", dhPublicKey: "d", home } });
  return { nickname, userId: user.id, deviceId: device.id, cookie: await sessionCookie({ userId: user.id, nickname, deviceId: device.id }), clients: [] };
}

/** pusher-js whose auth endpoint is the real route handler, called with this actor's cookie. */
async function connect(actor: Actor): Promise<InstanceType<typeof PusherJs>> {
  const client = pusherClientFor({ key: app.key, port, cookie: actor.cookie, authRoute });
  actor.clients.push(client);
  await new Promise<void>((resolve) => client.connection.bind("connected", () => resolve()));
  return client;
}

function subscribe(client: InstanceType<typeof PusherJs>, channel: string): Promise<{ ok: boolean; status?: number }> {
  const ch = client.subscribe(channel);
  return new Promise((resolve) => {
    ch.bind("pusher:subscription_succeeded", () => resolve({ ok: true }));
    ch.bind("pusher:subscription_error", (e: { status?: number }) => resolve({ ok: false, status: e.status }));
  });
}

const signal = (actor: Actor | { cookie: string }, json: unknown) => signalRoute.POST(request("POST", "/api/signal", { cookie: actor.cookie, json }), {});
const presenceOf = async (viewer: Actor, nickname: string) => {
  const res = await presenceRoute.GET(request("GET", `/api/users/${nickname}/presence`, { cookie: viewer.cookie }), params({ nickname }));
  return { status: res.status, body: (await res.json()) as { online?: { deviceId: string; home: boolean }[] } };
};
async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error("condition never held");
}

let port: number;
beforeAll(async () => {
  signaling = createPusherServer({ app });
  ({ port } = await signaling.listen(0));
  Object.assign(process.env, { PUSHER_APP_ID: app.id, PUSHER_KEY: app.key, PUSHER_SECRET: app.secret, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: String(port), PUSHER_USE_TLS: "false" });
  await migrate(database.url);
  actors.alice = await makeActor("alice");
  actors.bob = await makeActor("bob", true);
  actors.mallory = await makeActor("mallory");
});
afterAll(async () => {
  for (const actor of Object.values(actors)) for (const c of actor.clients) c.disconnect();
  await signaling.close();
  await db().$disconnect();
  database.cleanup();
});

describe("channel authorization", () => {
  it("lets a device join its own user channel as itself, with its name and home flag", async () => {
    const bob = actors.bob!;
    const client = await connect(bob);
    expect(await subscribe(client, "presence-user-bob")).toEqual({ ok: true });
    const members = (client.channel("presence-user-bob") as unknown as { members: { me: { id: string; info: unknown } } }).members;
    expect(members.me).toEqual({ id: bob.deviceId, info: { deviceName: "bob's laptop", home: true } });
  });

  it("refuses another user's channel, and any other channel, with 403", async () => {
    const mallory = actors.mallory!;
    const client = await connect(mallory);
    expect(await subscribe(client, "presence-user-bob")).toEqual({ ok: false, status: undefined });
    for (const channel of ["presence-user-bob", "private-user-bob", "presence-user-mallory2"]) {
      const body = new URLSearchParams({ socket_id: "123.456", channel_name: channel }).toString();
      const res = await authRoute.POST(request("POST", "/api/pusher/auth", { cookie: mallory.cookie, body, contentType: "application/x-www-form-urlencoded" }), {});
      expect(res.status).toBe(403);
    }
  });

  it("refuses without a session, without a registered device, and with a malformed request", async () => {
    const form = (cookie: string | undefined, body: string) =>
      authRoute.POST(request("POST", "/api/pusher/auth", { cookie, body, contentType: "application/x-www-form-urlencoded" }), {});
    expect((await form(undefined, "socket_id=1.2&channel_name=presence-user-bob")).status).toBe(401);
    const noDevice = await sessionCookie({ userId: actors.bob!.userId, nickname: "bob" });
    const res = await form(noDevice, "socket_id=1.2&channel_name=presence-user-bob");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("no_device");
    expect((await form(actors.bob!.cookie, "socket_id=abc&channel_name=presence-user-bob")).status).toBe(400);
    expect((await form(actors.bob!.cookie, `socket_id=1.2&channel_name=${"x".repeat(3000)}`)).status).toBe(413);
  });
});

describe("POST /api/signal", () => {
  it("delivers a signal to the recipient's channel with `from` stamped from the session", async () => {
    const bob = actors.bob!;
    const alice = actors.alice!;
    const client = bob.clients[0]!;
    const received = new Promise<unknown>((resolve) => client.channel("presence-user-bob").bind("signal", resolve));
    const res = await signal(alice, { to: "bob", type: "offer", data: "v=0 sdp" });
    expect(res.status).toBe(202);
    expect(await received).toEqual({ from: { nickname: "alice", deviceId: alice.deviceId }, type: "offer", data: "v=0 sdp" });
  });

  it("cannot be made to claim another sender", async () => {
    const res = await signal(actors.mallory!, { to: "bob", type: "offer", data: "x", from: { nickname: "alice", deviceId: actors.alice!.deviceId } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "invalid_input", message: 'body: Unrecognized key: "from"' } });
  });

  it("addresses one device with toDevice, and answers 409 when that device is not online", async () => {
    const bob = actors.bob!;
    const received = new Promise<unknown>((resolve) => bob.clients[0]!.channel("presence-user-bob").bind("signal", (e: { type: string }) => e.type === "answer" && resolve(e)));
    expect((await signal(actors.alice!, { to: "bob", toDevice: bob.deviceId, type: "answer", data: "a" })).status).toBe(202);
    expect(await received).toMatchObject({ toDevice: bob.deviceId });
    const res = await signal(actors.alice!, { to: "bob", toDevice: actors.mallory!.deviceId, type: "answer", data: "a" });
    expect(res.status).toBe(409);
  });

  it("refuses data over 8 KiB, bodies over 16 KiB, and unknown types", async () => {
    const over = await signal(actors.alice!, { to: "bob", type: "candidate", data: "c".repeat(8 * 1024 + 1) });
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { message: string } }).error.message).toBe("data: must be at most 8192 bytes");
    expect((await signal(actors.alice!, { to: "bob", type: "candidate", data: "c".repeat(8 * 1024) })).status).toBe(202);
    expect((await signal(actors.alice!, { to: "bob", type: "candidate", data: "c".repeat(17 * 1024) })).status).toBe(413);
    expect((await signal(actors.alice!, { to: "bob", type: "message", data: "hello" })).status).toBe(400);
  });

  it("answers 404 for an unknown nickname and 409 when none of its devices is online", async () => {
    expect((await signal(actors.alice!, { to: "nobody", type: "offer", data: "x" })).status).toBe(404);
    const res = await signal(actors.bob!, { to: "alice", type: "offer", data: "x" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "not_online", message: "None of alice's devices is online." } });
  });

  it("needs a session and a registered device", async () => {
    expect((await signal({ cookie: "" }, { to: "bob", type: "offer", data: "x" })).status).toBe(401);
    const noDevice = await sessionCookie({ userId: actors.alice!.userId, nickname: "alice" });
    expect((await signal({ cookie: noDevice }, { to: "bob", type: "offer", data: "x" })).status).toBe(403);
  });

  it("rate-limits each device with 429", async () => {
    setLimiter("signalPerDevice", new MemoryRateLimiter({ limit: 3, windowMs: 60_000 }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signal(actors.mallory!, { to: "bob", type: "candidate", data: `c${i}` })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // Another device is unaffected.
    expect((await signal(actors.alice!, { to: "bob", type: "candidate", data: "c" })).status).toBe(202);
  });
});

describe("revoking a device", () => {
  it("closes its signaling socket at once, and its session cannot subscribe again", async () => {
    const lost = await makeActor("ralph");
    const home = await db().device.create({ data: { userId: lost.userId, name: "ralph's home", signPublicKey: "s", dhPublicKey: "d" } });
    const ownerCookie = await sessionCookie({ userId: lost.userId, nickname: "ralph", deviceId: home.id });
    const client = await connect(lost);
    expect(await subscribe(client, "presence-user-ralph")).toEqual({ ok: true });
    expect(signaling.presenceUserIds("presence-user-ralph")).toEqual([lost.deviceId]);
    const disconnected = new Promise<void>((resolve) => client.connection.bind("state_change", ({ current }: { current: string }) => current !== "connected" && resolve()));

    const res = await deviceRoute.DELETE(request("DELETE", `/api/devices/${lost.deviceId}`, { cookie: ownerCookie }), params({ id: lost.deviceId }));
    expect(res.status).toBe(204);
    await disconnected;
    await until(async () => signaling.presenceUserIds("presence-user-ralph"), (ids) => ids.length === 0);
    const body = new URLSearchParams({ socket_id: "1.2", channel_name: "presence-user-ralph" }).toString();
    expect((await authRoute.POST(request("POST", "/api/pusher/auth", { cookie: lost.cookie, body, contentType: "application/x-www-form-urlencoded" }), {})).status).toBe(401);
  });
});

describe("GET /api/users/:nickname/presence", () => {
  it("reflects connects and disconnects", async () => {
    const alice = actors.alice!;
    expect((await presenceOf(alice, "alice")).body).toEqual({ online: [] });
    const client = await connect(alice);
    await subscribe(client, "presence-user-alice");
    expect((await presenceOf(actors.bob!, "alice")).body).toEqual({ online: [{ deviceId: alice.deviceId, home: false }] });
    client.disconnect();
    await until(() => presenceOf(actors.bob!, "alice"), (r) => r.body.online?.length === 0);
  });

  it("leaves out a revoked device even while its socket lingers", async () => {
    const bob = actors.bob!;
    expect((await presenceOf(actors.alice!, "bob")).body.online).toEqual([{ deviceId: bob.deviceId, home: true }]);
    await db().device.update({ where: { id: bob.deviceId }, data: { revokedAt: new Date() } });
    expect((await presenceOf(actors.alice!, "bob")).body.online).toEqual([]);
    await db().device.update({ where: { id: bob.deviceId }, data: { revokedAt: null } });
  });

  it("needs a session, and answers 404 for an unknown nickname", async () => {
    const res = await presenceRoute.GET(request("GET", "/api/users/bob/presence"), params({ nickname: "bob" }));
    expect(res.status).toBe(401);
    expect((await presenceOf(actors.alice!, "nobody")).status).toBe(404);
  });
});
