import webpush from "web-push";
import { startPushService, type PushServiceStandIn } from "../push/support/push-service";
import { addDevice, createUser, type TestDevice } from "../push/support/accounts";
import { newReceiver } from "../push/support/web-push-receiver";
import { migrate, request, useTestDatabase } from "../../support/test-env";

// Server-side request forgery through push subscriptions (issue 10): the
// server fetches whatever endpoint a device registers, so an endpoint inside
// the server's own network turns every ping into a request there (and the
// `sent` count into a port scanner). The stand-in push service on 127.0.0.1
// plays the internal service here; no PUSH_ALLOWED_HOSTS names it.

const database = useTestDatabase();
const vapid = webpush.generateVAPIDKeys();
Object.assign(process.env, { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: "mailto:ops@communisp.test", PUSH_ALLOWED_HOSTS: "" });

const subscribeRoute = require("@/app/api/push/subscribe/route") as typeof import("@/app/api/push/subscribe/route");
const pingRoute = require("@/app/api/push/ping/route") as typeof import("@/app/api/push/ping/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { configurePush } = require("@/lib/push/sender") as typeof import("@/lib/push/sender");
const { RATE_RULES, setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit");

let internal: PushServiceStandIn;
let attacker: TestDevice;
let attackersOtherDevice: TestDevice;

const subscribe = (device: TestDevice, endpoint: string) =>
  subscribeRoute.POST(request("POST", "/api/push/subscribe", { cookie: device.cookie, json: { endpoint, keys: newReceiver().keys } }), {});

beforeAll(async () => {
  await migrate(database.url);
  internal = await startPushService();
  // Trust the stand-in's certificate, so that a request that gets through completes and shows.
  configurePush({ agent: internal.agent, ca: internal.cert } as never);
  const mallory = await createUser(db(), "mallory");
  attacker = await addDevice(db(), mallory, "mallory's laptop");
  attackersOtherDevice = await addDevice(db(), mallory, "mallory's phone");
});
beforeEach(() => {
  setLimiter("pushPingPerUser", new MemoryRateLimiter(RATE_RULES.pushPingPerUser));
  internal.reset();
});
afterAll(async () => {
  configurePush();
  await internal.close();
  await db().$disconnect();
  database.cleanup();
});

describe("push endpoints that point inside the server's network", () => {
  it("are refused when registered, and a ping never reaches the internal service", async () => {
    const res = await subscribe(attackersOtherDevice, internal.endpoint("scan"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^endpoint: /);
    const ping = await pingRoute.POST(request("POST", "/api/push/ping", { cookie: attacker.cookie, json: { count: 1 } }), {});
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ sent: 0, removed: 0 });
    expect(internal.received()).toEqual([]);
  });

  it.each([
    ["IPv6 loopback", "https://[::1]:9443/push/x"],
    ["the cloud metadata address", "https://169.254.169.254/latest/meta-data/"],
    ["a private address", "https://10.0.0.1/push/x"],
    ["a host that is not a push service", "https://intranet.example.org/push/x"],
    ["a push service's host on another port", "https://fcm.googleapis.com:8443/fcm/send/x"],
  ])("refuse %s", async (_what, endpoint) => {
    const res = await subscribe(attacker, endpoint);
    expect(res.status).toBe(400);
    expect(await db().pushSubscription.count({ where: { endpoint } })).toBe(0);
  });

  it("do not get fetched even when already stored (registered before the check existed)", async () => {
    const endpoint = internal.endpoint("legacy");
    await db().pushSubscription.create({ data: { deviceId: attackersOtherDevice.deviceId, endpoint, ...newReceiver().keys } });
    const ping = await pingRoute.POST(request("POST", "/api/push/ping", { cookie: attacker.cookie, json: { count: 2 } }), {});
    expect(ping.status).toBe(200);
    expect(internal.received()).toEqual([]);
  });
});
