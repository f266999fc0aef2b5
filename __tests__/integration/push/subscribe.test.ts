import { randomBytes } from "node:crypto";
import webpush from "web-push";
import { migrate, request, sessionCookie, useTestDatabase } from "../../support/test-env";
import { addDevice, createUser, type TestDevice } from "./support/accounts";
import { newReceiver } from "./support/web-push-receiver";

// POST/GET/DELETE /api/push/subscribe: the real handlers against a real
// SQLite file. A device manages only its own subscription.

const database = useTestDatabase();
const vapid = webpush.generateVAPIDKeys();
// The routes store endpoints of allowed push services only (lib/push/endpoint-policy.ts); these tests send nothing.
Object.assign(process.env, { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: "mailto:ops@communisp.test", PUSH_ALLOWED_HOSTS: "push.example.net" });

const subscribeRoute = require("@/app/api/push/subscribe/route") as typeof import("@/app/api/push/subscribe/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");

const ORIGIN = "https://push.example.net";
let counter = 0;
const freshEndpoint = () => `${ORIGIN}/wpush/v2/${++counter}-${randomBytes(8).toString("hex")}`;
const validKeys = () => newReceiver().keys;

const post = (device: { cookie?: string }, json: unknown) => subscribeRoute.POST(request("POST", "/api/push/subscribe", { cookie: device.cookie, json }), {});
const postRaw = (device: { cookie?: string }, body: string, contentType?: string) =>
  subscribeRoute.POST(request("POST", "/api/push/subscribe", { cookie: device.cookie, body, contentType }), {});
const remove = (device: { cookie?: string }, json?: unknown) => subscribeRoute.DELETE(request("DELETE", "/api/push/subscribe", { cookie: device.cookie, json }), {});
const status = async (device: { cookie?: string }) => {
  const res = await subscribeRoute.GET(request("GET", "/api/push/subscribe", { cookie: device.cookie }), {});
  return { status: res.status, body: (await res.json()) as { subscribed?: boolean; vapidPublicKey?: string; error?: { code: string; message: string } } };
};
const rowFor = (endpoint: string) => db().pushSubscription.findUnique({ where: { endpoint } });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

let alicePhone: TestDevice;
let aliceLaptop: TestDevice;
let bobPhone: TestDevice;

beforeAll(async () => {
  await migrate(database.url);
  const alice = await createUser(db(), "alice");
  const bob = await createUser(db(), "bob");
  alicePhone = await addDevice(db(), alice, "Alice's phone");
  aliceLaptop = await addDevice(db(), alice, "Alice's laptop", true);
  bobPhone = await addDevice(db(), bob, "Bob's phone");
});
afterAll(async () => {
  await db().$disconnect();
  database.cleanup();
});

describe("POST /api/push/subscribe", () => {
  it("stores the calling device's subscription (201), and GET reports it with the VAPID public key", async () => {
    expect(await status(alicePhone)).toEqual({ status: 200, body: { subscribed: false, vapidPublicKey: vapid.publicKey } });
    const endpoint = freshEndpoint();
    const keys = validKeys();
    const res = await post(alicePhone, { endpoint, keys });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ subscribed: true });
    expect(await rowFor(endpoint)).toMatchObject({ deviceId: alicePhone.deviceId, endpoint, p256dh: keys.p256dh, auth: keys.auth });
    expect((await status(alicePhone)).body.subscribed).toBe(true);
    expect((await status(aliceLaptop)).body.subscribed).toBe(false);
  });

  it("is idempotent, updates the keys, and replaces the device's previous endpoint with a new one", async () => {
    const first = freshEndpoint();
    expect((await post(aliceLaptop, { endpoint: first, keys: validKeys() })).status).toBe(201);
    const rotated = validKeys();
    expect((await post(aliceLaptop, { endpoint: first, keys: rotated })).status).toBe(201);
    expect(await rowFor(first)).toMatchObject({ deviceId: aliceLaptop.deviceId, p256dh: rotated.p256dh, auth: rotated.auth });

    const second = freshEndpoint();
    expect((await post(aliceLaptop, { endpoint: second, keys: validKeys() })).status).toBe(201);
    expect(await rowFor(first)).toBeNull();
    expect(await db().pushSubscription.findMany({ where: { deviceId: aliceLaptop.deviceId }, select: { endpoint: true } })).toEqual([{ endpoint: second }]);
  });

  it("moves an endpoint from another device of the same account to the calling one", async () => {
    const user = { nickname: "alice", userId: alicePhone.userId };
    const oldDevice = await addDevice(db(), user, "old keys, same browser");
    const newDevice = await addDevice(db(), user, "new keys, same browser");
    const endpoint = freshEndpoint();
    expect((await post(oldDevice, { endpoint, keys: validKeys() })).status).toBe(201);
    expect((await post(newDevice, { endpoint, keys: validKeys() })).status).toBe(201);
    expect((await rowFor(endpoint))?.deviceId).toBe(newDevice.deviceId);
    expect((await status(oldDevice)).body.subscribed).toBe(false);
  });

  it("refuses an endpoint registered to another account's device with 409, leaving it untouched", async () => {
    const endpoint = freshEndpoint();
    const bobKeys = validKeys();
    expect((await post(bobPhone, { endpoint, keys: bobKeys })).status).toBe(201);
    const res = await post(alicePhone, { endpoint, keys: validKeys() });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toEqual({
      code: "forbidden",
      message: "This browser's push subscription is registered to another account. Turn notifications off there first, or subscribe again to get a new one.",
    });
    expect(await rowFor(endpoint)).toMatchObject({ deviceId: bobPhone.deviceId, p256dh: bobKeys.p256dh });
  });

  it("lets an endpoint left on another account's revoked device be taken over", async () => {
    const carol = await createUser(db(), "carol");
    const carolOld = await addDevice(db(), carol, "Carol's old laptop");
    const dave = await addDevice(db(), await createUser(db(), "dave"), "Dave's laptop");
    const endpoint = freshEndpoint();
    expect((await post(carolOld, { endpoint, keys: validKeys() })).status).toBe(201);
    await db().device.update({ where: { id: carolOld.deviceId }, data: { revokedAt: new Date() } });
    expect((await post(dave, { endpoint, keys: validKeys() })).status).toBe(201);
    expect((await rowFor(endpoint))?.deviceId).toBe(dave.deviceId);
  });

  it("accepts padded base64url keys and stores them unpadded", async () => {
    const endpoint = freshEndpoint();
    const keys = validKeys();
    expect((await post(bobPhone, { endpoint, keys: { p256dh: `${keys.p256dh}=`, auth: `${keys.auth}==` } })).status).toBe(201);
    expect(await rowFor(endpoint)).toMatchObject({ p256dh: keys.p256dh, auth: keys.auth });
  });

  const point = (bytes: Buffer) => bytes.toString("base64url");
  const cases: [string, () => unknown, string][] = [
    ["a string that is not a URL", () => ({ endpoint: "not a url", keys: validKeys() }), "endpoint: must be an https:// URL without credentials"],
    ["an http:// endpoint", () => ({ endpoint: "http://push.example.net/x", keys: validKeys() }), "endpoint: must be an https:// URL without credentials"],
    ["a javascript: endpoint", () => ({ endpoint: "javascript:alert(1)", keys: validKeys() }), "endpoint: must be an https:// URL without credentials"],
    ["credentials in the endpoint", () => ({ endpoint: "https://user:pw@push.example.net/x", keys: validKeys() }), "endpoint: must be an https:// URL without credentials"],
    ["an endpoint over 2048 characters", () => ({ endpoint: `${ORIGIN}/${"a".repeat(2048)}`, keys: validKeys() }), "endpoint: must be at most 2048 characters"],
    ["a 64-byte p256dh", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), p256dh: point(randomBytes(64)) } }), "keys.p256dh: must be the base64url encoding of a 65-byte P-256 public key"],
    ["a p256dh that is not on the curve", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), p256dh: point(Buffer.concat([Buffer.from([4]), randomBytes(64)])) } }), "keys.p256dh: must be the base64url encoding of a 65-byte P-256 public key"],
    ["a compressed p256dh", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), p256dh: point(Buffer.concat([Buffer.from([2]), randomBytes(32)])) } }), "keys.p256dh: must be the base64url encoding of a 65-byte P-256 public key"],
    ["standard base64 instead of base64url", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), auth: "+/+/+/+/+/+/+/+/+/+/+w" } }), "keys.auth: must be the base64url encoding of a 16-byte auth secret"],
    ["a 15-byte auth secret", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), auth: point(randomBytes(15)) } }), "keys.auth: must be the base64url encoding of a 16-byte auth secret"],
    ["a 17-byte auth secret", () => ({ endpoint: freshEndpoint(), keys: { ...validKeys(), auth: point(randomBytes(17)) } }), "keys.auth: must be the base64url encoding of a 16-byte auth secret"],
    ["missing keys", () => ({ endpoint: freshEndpoint() }), "keys: Invalid input: expected object, received undefined"],
    ["an unknown field", () => ({ endpoint: freshEndpoint(), keys: validKeys(), expirationTime: null }), 'body: Unrecognized key: "expirationTime"'],
  ];
  it.each(cases)("refuses %s with 400 invalid_input", async (_what, body, message) => {
    const res = await post(alicePhone, body());
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ code: "invalid_input", message });
  });

  it("refuses malformed JSON (400), a body over 16 KiB (413) and a non-JSON content type (415)", async () => {
    expect(await errorOf(await postRaw(alicePhone, '{"endpoint": "https://x.example/', "application/json"))).toMatchObject({ code: "invalid_json" });
    const big = await post(alicePhone, { endpoint: freshEndpoint(), keys: validKeys(), pad: "x".repeat(16 * 1024) });
    expect(big.status).toBe(413);
    expect((await postRaw(alicePhone, "endpoint=https://x.example/", "application/x-www-form-urlencoded")).status).toBe(415);
  });

  it("needs a session (401), a registered device (403) that is live (401: revoking it ends the session)", async () => {
    const body = { endpoint: freshEndpoint(), keys: validKeys() };
    expect((await post({}, body)).status).toBe(401);
    expect((await status({})).status).toBe(401);
    expect((await remove({})).status).toBe(401);
    const noDevice = await sessionCookie({ userId: alicePhone.userId, nickname: "alice" });
    const res = await post({ cookie: noDevice }, body);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("no_device");
    const revoked = await addDevice(db(), { nickname: "alice", userId: alicePhone.userId }, "lost phone");
    await db().device.update({ where: { id: revoked.deviceId }, data: { revokedAt: new Date() } });
    expect((await post(revoked, body)).status).toBe(401);
    expect(await rowFor(body.endpoint)).toBeNull();
  });
});

describe("DELETE /api/push/subscribe", () => {
  it("removes that endpoint of the calling device (204)", async () => {
    const endpoint = freshEndpoint();
    await post(alicePhone, { endpoint, keys: validKeys() });
    const res = await remove(alicePhone, { endpoint });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await rowFor(endpoint)).toBeNull();
    // Again: nothing left, still 204.
    expect((await remove(alicePhone, { endpoint })).status).toBe(204);
  });

  it("never removes another device's subscription, even given its endpoint", async () => {
    const endpoint = freshEndpoint();
    await post(bobPhone, { endpoint, keys: validKeys() });
    expect((await remove(alicePhone, { endpoint })).status).toBe(204);
    expect((await rowFor(endpoint))?.deviceId).toBe(bobPhone.deviceId);
  });

  it("without a body removes all of the calling device's subscriptions and nobody else's", async () => {
    const mine = freshEndpoint();
    const theirs = freshEndpoint();
    await post(alicePhone, { endpoint: mine, keys: validKeys() });
    await post(aliceLaptop, { endpoint: theirs, keys: validKeys() });
    const res = await remove(alicePhone);
    expect(res.status).toBe(204);
    expect(await db().pushSubscription.count({ where: { deviceId: alicePhone.deviceId } })).toBe(0);
    expect(await rowFor(theirs)).not.toBeNull();
    expect((await status(alicePhone)).body.subscribed).toBe(false);
  });

  it("validates a body when there is one", async () => {
    const res = await remove(alicePhone, { endpoint: "http://push.example.net/x" });
    expect(res.status).toBe(400);
    expect((await remove(alicePhone, { endpoint: freshEndpoint(), all: true })).status).toBe(400);
  });
});
