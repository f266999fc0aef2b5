import { decode } from "next-auth/jwt";
import nacl from "tweetnacl";
import { migrate, request, sessionCookie, TEST_SECRET, useTestDatabase } from "../../support/test-env";

// Server-side sessions and what hangs on them: a session registers at most
// its own device, binds to an existing device only with that device's
// signature, and the password changes only with the current password, ending
// every other session. Real handlers, real SQLite file.

const database = useTestDatabase();
const devicesRoute = require("@/app/api/devices/route") as typeof import("@/app/api/devices/route");
const challengeRoute = require("@/app/api/session/challenge/route") as typeof import("@/app/api/session/challenge/route");
const bindRoute = require("@/app/api/session/device/route") as typeof import("@/app/api/session/device/route");
const passwordRoute = require("@/app/api/account/password/route") as typeof import("@/app/api/account/password/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { hashPassword, verifyPassword } = require("@/lib/auth/password") as typeof import("@/lib/auth/password");
const { bindingMessage } = require("@/lib/account-devices/binding") as typeof import("@/lib/account-devices/binding");
const { bindSessionToDevice } = require("@/lib/account-devices/session-binding") as typeof import("@/lib/account-devices/session-binding");
const { createSession, findLiveSession, hashSessionId, MAX_SESSIONS_PER_USER, SESSION_MAX_AGE_SEC } = require("@/lib/auth/sessions") as typeof import("@/lib/auth/sessions");
const { setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit");

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
/** Cheap scrypt parameters: verifyPassword reads them from the stored hash. */
const CHEAP = { logN: 10, r: 8, p: 1 };
const PASSWORD = "the old passphrase";

interface Person {
  userId: string;
  nickname: string;
}

async function makeUser(nickname: string): Promise<Person> {
  const user = await db().user.create({ data: { nickname, passwordHash: await hashPassword(PASSWORD, CHEAP) } });
  return { userId: user.id, nickname };
}

async function deviceWithKeys(person: Person) {
  const keys = nacl.sign.keyPair();
  const device = await db().device.create({ data: { userId: person.userId, name: "old laptop", signPublicKey: b64(keys.publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey) } });
  return { id: device.id, keys };
}

const challenge = async (cookie: string) => {
  const res = await challengeRoute.POST(request("POST", "/api/session/challenge", { cookie }), {});
  expect(res.status).toBe(200);
  return Buffer.from(((await res.json()) as { challenge: string }).challenge, "base64");
};
const bind = (cookie: string, deviceId: string, signature: Uint8Array) => bindRoute.POST(request("POST", "/api/session/device", { cookie, json: { deviceId, signature: b64(signature) } }), {});
/** The device the cookie's session row is bound to. */
const boundDevice = async (cookie: string) => {
  const token = await decode({ token: cookie.slice(cookie.indexOf("=") + 1), secret: TEST_SECRET });
  return (await db().session.findUnique({ where: { idHash: hashSessionId(String(token?.sid)) } }))?.deviceId ?? null;
};
const changePassword = (cookie: string | undefined, json: unknown) => passwordRoute.POST(request("POST", "/api/account/password", { cookie, json }), {});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

beforeAll(() => migrate(database.url));
beforeEach(() => setLimiter("passwordChangePerUser", new MemoryRateLimiter({ limit: 100, windowMs: 60_000 })));
afterAll(async () => {
  await db().$disconnect();
  database.cleanup();
});

describe("registering a device", () => {
  it("binds the registering session to it; a bound session cannot register another", async () => {
    const ann = await makeUser("ann");
    const cookie = await sessionCookie(ann);
    const keys = () => ({ signPublicKey: b64(nacl.sign.keyPair().publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey) });
    const first = await devicesRoute.POST(request("POST", "/api/devices", { cookie, json: { name: "laptop", ...keys() } }), {});
    expect(first.status).toBe(201);
    const { deviceId } = (await first.json()) as { deviceId: string };
    expect(await boundDevice(cookie)).toBe(deviceId);

    const second = await devicesRoute.POST(request("POST", "/api/devices", { cookie, json: { name: "another", ...keys() } }), {});
    expect(second.status).toBe(409);
    expect((await errorOf(second)).code).toBe("already_bound");
    expect(await db().device.count({ where: { userId: ann.userId } })).toBe(1);
  });
});

describe("binding a session to an existing device", () => {
  it("needs the device's own signature over a fresh challenge", async () => {
    const bea = await makeUser("bea");
    const device = await deviceWithKeys(bea);
    const cookie = await sessionCookie(bea);
    const message = bindingMessage(await challenge(cookie), device.id);
    const res = await bind(cookie, device.id, nacl.sign.detached(message, device.keys.secretKey));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deviceId: device.id });
    expect(await boundDevice(cookie)).toBe(device.id);
  });

  it("refuses a signature by another key, and a challenge serves one bind only", async () => {
    const cat = await makeUser("cat");
    const device = await deviceWithKeys(cat);
    const cookie = await sessionCookie(cat);
    const message = bindingMessage(await challenge(cookie), device.id);
    const forged = await bind(cookie, device.id, nacl.sign.detached(message, nacl.sign.keyPair().secretKey));
    expect(forged.status).toBe(403);
    expect(await boundDevice(cookie)).toBeNull();
    expect((await bind(cookie, device.id, nacl.sign.detached(message, device.keys.secretKey))).status).toBe(200);
    // Spent: the same signature does not bind another session of the same user.
    const second = await sessionCookie(cat);
    const replay = await bind(second, device.id, nacl.sign.detached(message, device.keys.secretKey));
    expect(replay.status).toBe(409);
    expect((await errorOf(replay)).code).toBe("no_challenge");
    expect(await boundDevice(second)).toBeNull();
  });

  it("refuses a signature made for another device id, another account's device, and binding without a challenge", async () => {
    const dot = await makeUser("dot");
    const mine = await deviceWithKeys(dot);
    const other = await deviceWithKeys(dot);
    const cookie = await sessionCookie(dot);
    const forMine = bindingMessage(await challenge(cookie), mine.id);
    expect((await bind(cookie, other.id, nacl.sign.detached(forMine, other.keys.secretKey))).status).toBe(403);

    const eve = await makeUser("eve");
    const evesDevice = await deviceWithKeys(eve);
    const m2 = bindingMessage(await challenge(cookie), evesDevice.id);
    expect((await bind(cookie, evesDevice.id, nacl.sign.detached(m2, evesDevice.keys.secretKey))).status).toBe(403);

    expect(await boundDevice(cookie)).toBeNull();
    const neverAsked = await sessionCookie(dot);
    const res = await bind(neverAsked, mine.id, new Uint8Array(64));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("no_challenge");
  });

  it("refuses a challenge older than 5 minutes", async () => {
    const fay = await makeUser("fay");
    const device = await deviceWithKeys(fay);
    const sid = await createSession(fay.userId);
    const session = (await findLiveSession(sid, fay.userId))!;
    const { issueBindChallenge } = require("@/lib/account-devices/session-binding") as typeof import("@/lib/account-devices/session-binding");
    const issued = new Date(Date.now() - 6 * 60_000);
    const c = Buffer.from(await issueBindChallenge(session.idHash, issued), "base64");
    const signature = b64(nacl.sign.detached(bindingMessage(c, device.id), device.keys.secretKey));
    await expect(bindSessionToDevice(session, { deviceId: device.id, signature })).rejects.toMatchObject({ code: "no_challenge" });
  });

  it("never moves a bound session to another device", async () => {
    const gus = await makeUser("gus");
    const first = await deviceWithKeys(gus);
    const second = await deviceWithKeys(gus);
    const cookie = await sessionCookie({ ...gus, deviceId: first.id });
    const message = bindingMessage(await challenge(cookie), second.id);
    const res = await bind(cookie, second.id, nacl.sign.detached(message, second.keys.secretKey));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("already_bound");
    expect(await boundDevice(cookie)).toBe(first.id);
  });
});

describe("sessions", () => {
  it("end after SESSION_MAX_AGE_SEC unused, and belong to one user only", async () => {
    const hal = await makeUser("hal");
    const ida = await makeUser("ida");
    const sid = await createSession(hal.userId);
    expect(await findLiveSession(sid, hal.userId)).toMatchObject({ userId: hal.userId, nickname: "hal", deviceId: null });
    expect(await findLiveSession(sid, ida.userId)).toBeNull();
    const later = new Date(Date.now() + SESSION_MAX_AGE_SEC * 1000 + 1000);
    expect(await findLiveSession(sid, hal.userId, later)).toBeNull();
  });

  it("are capped per account: signing in past the cap ends the least recently used", async () => {
    const jon = await makeUser("jon");
    const oldest = await createSession(jon.userId, new Date(Date.now() - 60_000));
    for (let i = 0; i < MAX_SESSIONS_PER_USER; i++) await createSession(jon.userId);
    expect(await db().session.count({ where: { userId: jon.userId } })).toBe(MAX_SESSIONS_PER_USER);
    expect(await findLiveSession(oldest, jon.userId)).toBeNull();
  });
});

describe("POST /api/account/password", () => {
  it("needs the current password: a stolen cookie alone changes nothing", async () => {
    const kay = await makeUser("kay");
    const cookie = await sessionCookie(kay);
    const other = await sessionCookie(kay);
    const before = await db().user.findUniqueOrThrow({ where: { id: kay.userId } });
    const res = await changePassword(cookie, { currentPassword: "a wrong guess", newPassword: "an attacker's password" });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({ code: "wrong_password", message: "The current password is not right." });
    expect((await db().user.findUniqueOrThrow({ where: { id: kay.userId } })).passwordHash).toBe(before.passwordHash);
    expect(await db().session.count({ where: { userId: kay.userId } })).toBe(2);
    expect((await changePassword(other, { newPassword: "an attacker's password" })).status).toBe(400);
    expect((await changePassword(undefined, { currentPassword: PASSWORD, newPassword: "an attacker's password" })).status).toBe(401);
  });

  it("is rate-limited per account, so a stolen cookie is no password oracle", async () => {
    setLimiter("passwordChangePerUser", new MemoryRateLimiter({ limit: 3, windowMs: 60_000 }));
    const lia = await makeUser("lia");
    const cookie = await sessionCookie(lia);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await changePassword(cookie, { currentPassword: `guess ${i}`, newPassword: "whatever new one" })).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
  });

  it("changes it and ends every other session of the account, keeping this one", async () => {
    const meg = await makeUser("meg");
    const here = await sessionCookie(meg);
    const elsewhere = [await sessionCookie(meg), await sessionCookie(meg)];
    const res = await changePassword(here, { currentPassword: PASSWORD, newPassword: "a much newer passphrase" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ endedSessions: 2 });
    const hash = (await db().user.findUniqueOrThrow({ where: { id: meg.userId } })).passwordHash;
    expect(await verifyPassword("a much newer passphrase", hash)).toBe(true);
    expect(await verifyPassword(PASSWORD, hash)).toBe(false);
    for (const cookie of elsewhere) expect((await devicesRoute.GET(request("GET", "/api/devices", { cookie }), {})).status).toBe(401);
    expect((await devicesRoute.GET(request("GET", "/api/devices", { cookie: here }), {})).status).toBe(200);
  });

  it("refuses a new password that is too short or the same as the current one", async () => {
    const ned = await makeUser("ned");
    const cookie = await sessionCookie(ned);
    const short = await changePassword(cookie, { currentPassword: PASSWORD, newPassword: "short" });
    expect(await errorOf(short)).toEqual({ code: "invalid_input", message: "newPassword: must be at least 10 characters" });
    const same = await changePassword(cookie, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(await errorOf(same)).toEqual({ code: "invalid_input", message: "newPassword: must differ from the current password" });
  });
});
