import { createServer } from "node:net";
import type PusherJs from "pusher-js";
import webpush from "web-push";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { pusherClientFor } from "../../support/pusher-client";
import { migrate, request, sessionCookie, useTestDatabase } from "../../support/test-env";
import { addDevice, createUser, type TestDevice } from "./support/accounts";
import { startPushService, type PushServiceStandIn, type ReceivedPush } from "./support/push-service";
import { decryptAes128gcm, newReceiver, receiverFrom, verifyVapid, type Decrypted, type Receiver } from "./support/web-push-receiver";

// POST /api/push/ping end to end in one process: the real route handlers and
// database, real Web Push requests (web-push over HTTPS) to a loopback stand-in
// for the push service, decrypted here with each subscription's own keys, and
// the live notice through the real built-in signaling server to pusher-js.

const database = useTestDatabase();
const vapid = webpush.generateVAPIDKeys();
const VAPID_SUBJECT = "mailto:ops@communisp.test";
const signalingApp = { id: "5151", key: "push-test-key", secret: "push-test-secret" };
Object.assign(process.env, { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT });

const pingRoute = require("@/app/api/push/ping/route") as typeof import("@/app/api/push/ping/route");
const subscribeRoute = require("@/app/api/push/subscribe/route") as typeof import("@/app/api/push/subscribe/route");
const authRoute = require("@/app/api/pusher/auth/route") as typeof import("@/app/api/pusher/auth/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { configurePush } = require("@/lib/push/sender") as typeof import("@/lib/push/sender");
const { RATE_RULES, setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit");

interface Subscribed extends TestDevice {
  receiver: Receiver;
  path: string;
}

let pushService: PushServiceStandIn;
let unreachablePort: number;
let signaling: PusherServer;
let signalingPort: number;
const clients: InstanceType<typeof PusherJs>[] = [];
const devices: Record<string, Subscribed> = {};
const device = (label: string) => devices[label]!;

const ping = (caller: { cookie?: string }, json: unknown) => pingRoute.POST(request("POST", "/api/push/ping", { cookie: caller.cookie, json }), {});
const pingRaw = (caller: { cookie?: string }, body: string, contentType = "application/json") =>
  pingRoute.POST(request("POST", "/api/push/ping", { cookie: caller.cookie, body, contentType }), {});

/** A device that subscribed through the real route, with keys only this test knows. */
async function subscribed(label: string, user: { nickname: string; userId: string }, opts: { home?: boolean; endpoint?: string } = {}): Promise<Subscribed> {
  const base = await addDevice(db(), user, `${user.nickname}'s ${label}`, opts.home);
  const receiver = newReceiver();
  const endpoint = opts.endpoint ?? pushService.endpoint(`${user.nickname}-${label}`);
  const res = await subscribeRoute.POST(request("POST", "/api/push/subscribe", { cookie: base.cookie, json: { endpoint, keys: receiver.keys } }), {});
  expect(res.status).toBe(201);
  const made = { ...base, receiver, path: new URL(endpoint).pathname };
  devices[`${user.nickname}-${label}`] = made;
  return made;
}

const receivedBy = (d: Subscribed) => pushService.received().filter((r) => r.path === d.path);
const paths = () =>
  pushService
    .received()
    .map((r) => r.path)
    .sort();

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  signaling = createPusherServer({ app: signalingApp });
  ({ port: signalingPort } = await signaling.listen(0));
  Object.assign(process.env, {
    PUSHER_APP_ID: signalingApp.id,
    PUSHER_KEY: signalingApp.key,
    PUSHER_SECRET: signalingApp.secret,
    PUSHER_HOST: "127.0.0.1",
    PUSHER_PORT: String(signalingPort),
    PUSHER_USE_TLS: "false",
  });
  pushService = await startPushService();
  unreachablePort = await closedPort();
  // The stand-in push services are allowed by name, as an operator would allow a self-hosted one.
  process.env.PUSH_ALLOWED_HOSTS = `${new URL(pushService.origin).host},127.0.0.1:${unreachablePort}`;
  configurePush({ ca: pushService.cert });
  await migrate(database.url);

  const alice = await createUser(db(), "alice");
  const bob = await createUser(db(), "bob");
  await subscribed("home", alice, { home: true });
  await subscribed("phone", alice);
  await subscribed("laptop", alice);
  const tablet = await subscribed("tablet", alice);
  // Revoked behind the route's back, so its subscription is still in the table.
  await db().device.update({ where: { id: tablet.deviceId }, data: { revokedAt: new Date() } });
  await subscribed("phone", bob);
});
beforeEach(() => {
  // The real rule (1 per 30 s per user), fresh for every case.
  setLimiter("pushPingPerUser", new MemoryRateLimiter(RATE_RULES.pushPingPerUser));
  pushService.reset();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  configurePush();
  await pushService?.close();
  await signaling?.close();
  await db().$disconnect();
  database.cleanup();
});

describe("the test's own RFC 8291 decryptor", () => {
  it("decrypts the example of RFC 8291 appendix A", () => {
    const b = (s: string) => Buffer.from(s, "base64url");
    const receiver = receiverFrom(b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), b("BTBZMqHH6r4Tts7J_aSIgg"));
    expect(receiver.keys.p256dh).toBe("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    const message = b(
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
    );
    const out = decryptAes128gcm(message, receiver);
    expect(out.plaintext.toString("utf8")).toBe("When I grow up, I want to be a watermelon");
    expect(out.recordSize).toBe(4096);
    expect(() => decryptAes128gcm(message, receiverFrom(b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), Buffer.alloc(16)))).toThrow();
  });
});

describe("POST /api/push/ping", () => {
  it("sends a content-free ping to the caller's other live devices only", async () => {
    const res = await ping(device("alice-home"), { count: 3 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 2, removed: 0 });
    // Not the caller, not the revoked tablet, not bob.
    expect(paths()).toEqual([device("alice-laptop").path, device("alice-phone").path].sort());

    for (const label of ["alice-phone", "alice-laptop"]) {
      const [push] = receivedBy(device(label)) as [ReceivedPush];
      const { plaintext } = decryptAes128gcm(push.body, device(label).receiver);
      expect(plaintext.toString("utf8")).toBe('{"type":"ping","count":3}');
    }
  });

  it("identifies the server with VAPID and asks for a replaceable, hour-long, normal-urgency message", async () => {
    const before = Math.floor(Date.now() / 1000);
    expect((await ping(device("alice-home"), { count: 1 })).status).toBe(200);
    const pushes = pushService.received();
    expect(pushes).toHaveLength(2);
    for (const push of pushes) {
      expect(push.method).toBe("POST");
      const { header, claims } = verifyVapid(push.headers.authorization, vapid.publicKey);
      expect(header).toEqual({ typ: "JWT", alg: "ES256" });
      expect(claims.aud).toBe(pushService.origin);
      expect(claims.sub).toBe(VAPID_SUBJECT);
      expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "sub"]);
      expect(claims.exp).toBeGreaterThan(before);
      expect(claims.exp).toBeLessThanOrEqual(before + 24 * 3600);
      expect(push.headers).toMatchObject({
        "content-encoding": "aes128gcm",
        "content-type": "application/octet-stream",
        ttl: "3600",
        urgency: "normal",
        topic: "ping",
      });
      expect(Number(push.headers["content-length"])).toBe(push.body.length);
    }
    // A fresh salt and ephemeral key per message, as RFC 8291 requires.
    const [a, b] = pushes.map((p) => decryptAes128gcm(p.body, receivedOwner(p).receiver)) as [Decrypted, Decrypted];
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.asPublic.equals(b.asPublic)).toBe(false);
  });

  it("carries no names, device names, ids or text anywhere in the request", async () => {
    expect((await ping(device("alice-home"), { count: 42 })).status).toBe(200);
    const secrets = ["alice", "home", "phone", "laptop", device("alice-home").deviceId, device("alice-home").userId];
    for (const push of pushService.received()) {
      const plaintext = decryptAes128gcm(push.body, receivedOwner(push).receiver).plaintext.toString("utf8");
      expect(JSON.parse(plaintext)).toEqual({ type: "ping", count: 42 });
      const visible = `${JSON.stringify(push.headers)}\n${plaintext}\n${push.body.toString("latin1")}`;
      // The path is the push service's own endpoint name; everything else the app chose must be free of these.
      const withoutPath = visible.split(push.path).join("");
      for (const secret of secrets) expect(withoutPath).not.toContain(secret);
    }
  });

  it("allows one ping per user per 30 s: the second is 429 with Retry-After, and sends nothing", async () => {
    expect((await ping(device("alice-home"), { count: 1 })).status).toBe(200);
    pushService.reset();
    const res = await ping(device("alice-phone"), { count: 2 });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(pushService.received()).toEqual([]);
    // Another account has its own budget.
    const bobs = await ping(device("bob-phone"), { count: 1 });
    expect(bobs.status).toBe(200);
    expect(await bobs.json()).toEqual({ sent: 0, removed: 0 });
  });

  it("does not spend the 30 s on a request it refuses", async () => {
    for (const body of [{ count: 0 }, { count: 100_001 }, { count: 1.5 }, { count: "3" }, {}, { count: 1, text: "hello" }]) {
      const res = await ping(device("alice-home"), body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
    }
    expect((await pingRaw(device("alice-home"), "{count: 1}")).status).toBe(400);
    expect((await pingRaw(device("alice-home"), JSON.stringify({ count: 1, pad: "x".repeat(16 * 1024) }))).status).toBe(413);
    expect((await pingRaw(device("alice-home"), "count=1", "application/x-www-form-urlencoded")).status).toBe(415);
    expect(pushService.received()).toEqual([]);
    const res = await ping(device("alice-home"), { count: 100_000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 2, removed: 0 });
  });

  it.each([410, 404])("deletes a subscription the push service answers %i for, and keeps sending to the rest", async (status) => {
    const user = { nickname: "alice", userId: device("alice-home").userId };
    const stale = await subscribed(`stale-${status}`, user);
    pushService.respondWith(stale.path, status);
    const res = await ping(device("alice-home"), { count: 5 });
    expect(await res.json()).toEqual({ sent: 2, removed: 1 });
    expect(receivedBy(stale)).toHaveLength(1);
    expect(await db().pushSubscription.count({ where: { deviceId: stale.deviceId } })).toBe(0);

    setLimiter("pushPingPerUser", new MemoryRateLimiter(RATE_RULES.pushPingPerUser));
    pushService.reset();
    expect(await (await ping(device("alice-home"), { count: 6 })).json()).toEqual({ sent: 2, removed: 0 });
    expect(receivedBy(stale)).toEqual([]);
  });

  it("survives a push service that errs or cannot be reached, and keeps those subscriptions", async () => {
    const user = { nickname: "alice", userId: device("alice-home").userId };
    const erring = await subscribed("erring", user);
    const unreachable = await subscribed("unreachable", user, { endpoint: `https://127.0.0.1:${unreachablePort}/push/unreachable` });
    pushService.respondWith(erring.path, 500);
    const res = await ping(device("alice-home"), { count: 2 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 2, removed: 0 });
    expect(receivedBy(erring)).toHaveLength(1);
    expect(await db().pushSubscription.count({ where: { deviceId: { in: [erring.deviceId, unreachable.deviceId] } } })).toBe(2);
    await db().device.updateMany({ where: { id: { in: [erring.deviceId, unreachable.deviceId] } }, data: { revokedAt: new Date() } });
  });

  it("sends nothing when the caller's own device is the only one subscribed", async () => {
    const res = await ping(device("bob-phone"), { count: 9 });
    expect(await res.json()).toEqual({ sent: 0, removed: 0 });
    expect(pushService.received()).toEqual([]);
  });

  it("needs a session (401), a registered device (403) that is live (401: revoking it ends the session)", async () => {
    expect((await ping({}, { count: 1 })).status).toBe(401);
    const noDevice = await sessionCookie({ userId: device("alice-home").userId, nickname: "alice" });
    const unbound = await ping({ cookie: noDevice }, { count: 1 });
    expect(unbound.status).toBe(403);
    expect(((await unbound.json()) as { error: { code: string } }).error.code).toBe("no_device");
    expect((await ping(device("alice-tablet"), { count: 1 })).status).toBe(401);
    // A session bound to another account's device is no way in either.
    const forged = await sessionCookie({ userId: device("bob-phone").userId, nickname: "bob", deviceId: device("alice-home").deviceId });
    expect((await ping({ cookie: forged }, { count: 1 })).status).toBe(401);
    expect(pushService.received()).toEqual([]);
  });
});

describe("the live notice", () => {
  async function listen(as: TestDevice, channel: string): Promise<unknown[]> {
    const client = pusherClientFor({ key: signalingApp.key, port: signalingPort, cookie: as.cookie, authRoute });
    clients.push(client);
    const events: unknown[] = [];
    const ch = client.subscribe(channel);
    ch.bind("notice", (e: unknown) => events.push(e));
    await new Promise<void>((resolve, reject) => {
      ch.bind("pusher:subscription_succeeded", () => resolve());
      ch.bind("pusher:subscription_error", () => reject(new Error(`could not subscribe to ${channel}`)));
    });
    return events;
  }

  it("reaches the account's open pages on its own presence channel, content-free, and no one else's", async () => {
    const alices = await listen(device("alice-phone"), "presence-user-alice");
    const bobs = await listen(device("bob-phone"), "presence-user-bob");
    expect((await ping(device("alice-home"), { count: 7 })).status).toBe(200);
    for (let i = 0; i < 100 && alices.length === 0; i++) await new Promise((r) => setTimeout(r, 30));
    expect(alices).toEqual([{ type: "ping", count: 7, fromDevice: device("alice-home").deviceId }]);
    // A marker published on bob's channel after the ping answered: a stray
    // notice for bob would have reached his socket before it.
    signaling.publish(["presence-user-bob"], "notice", JSON.stringify({ type: "barrier" }));
    for (let i = 0; i < 100 && bobs.length === 0; i++) await new Promise((r) => setTimeout(r, 30));
    expect(bobs).toEqual([{ type: "barrier" }]);
  });

  it("does not fail the ping when signaling is down", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await signaling.close();
      const res = await ping(device("alice-home"), { count: 4 });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ sent: 2, removed: 0 });
      expect(warn).toHaveBeenCalledWith("[push] live ping notice not published: signaling unavailable");
    } finally {
      warn.mockRestore();
    }
  });
});

/** The subscribed device a received push was addressed to. */
function receivedOwner(push: ReceivedPush): Subscribed {
  const owner = Object.values(devices).find((d) => d.path === push.path);
  if (!owner) throw new Error(`no device subscribed at ${push.path}`);
  return owner;
}
