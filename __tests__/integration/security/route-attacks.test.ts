import nacl from "tweetnacl";
import { migrate, params, request, sessionCookie, useTestDatabase } from "../../support/test-env";
import { RATE_RULES } from "@/lib/auth/limits";

// Attacks on the route handlers, each reproduced as an attacker would run it
// (issue 10, "Safe to expose"), against the real handlers and a real SQLite
// file. Each test failed against the code before its fix.

const database = useTestDatabase();
const devicesRoute = require("@/app/api/devices/route") as typeof import("@/app/api/devices/route");
const deviceRoute = require("@/app/api/devices/[id]/route") as typeof import("@/app/api/devices/[id]/route");
const usersRoute = require("@/app/api/users/[nickname]/route") as typeof import("@/app/api/users/[nickname]/route");
const presenceRoute = require("@/app/api/users/[nickname]/presence/route") as typeof import("@/app/api/users/[nickname]/presence/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const newKeys = () => ({ signPublicKey: b64(nacl.sign.keyPair().publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey) });

interface Person {
  userId: string;
  nickname: string;
}

async function makeUser(nickname: string): Promise<Person> {
  const user = await db().user.create({ data: { nickname, passwordHash: "$scrypt$unused" } });
  return { userId: user.id, nickname };
}

async function deviceOf(person: Person, name: string): Promise<{ deviceId: string; cookie: string }> {
  const device = await db().device.create({ data: { userId: person.userId, name, ...newKeys() } });
  return { deviceId: device.id, cookie: await sessionCookie({ ...person, deviceId: device.id }) };
}

const register = (cookie: string, name = "thief's laptop", keys = newKeys()) => devicesRoute.POST(request("POST", "/api/devices", { cookie, json: { name, ...keys } }), {});
const lookUp = (nickname: string, cookie?: string) => usersRoute.GET(request("GET", `/api/users/${encodeURIComponent(nickname)}`, { cookie }), params({ nickname }));

beforeAll(() => migrate(database.url));
afterAll(async () => {
  await db().$disconnect();
  database.cleanup();
});

describe("a session bound to a revoked device", () => {
  it("can no longer register devices, claim the home flag, revoke the owner's devices or list them", async () => {
    const owner = await makeUser("victim1");
    const home = await deviceOf(owner, "home pc");
    const lost = await deviceOf(owner, "stolen laptop");
    // The owner revokes the stolen laptop from home.
    expect((await deviceRoute.DELETE(request("DELETE", `/api/devices/${lost.deviceId}`, { cookie: home.cookie }), params({ id: lost.deviceId }))).status).toBe(204);

    const before = await db().device.findMany({ orderBy: { id: "asc" } });
    const replayed = lost.cookie;
    const answers = {
      register: (await register(replayed)).status,
      list: (await devicesRoute.GET(request("GET", "/api/devices", { cookie: replayed }), {})).status,
      claimHome: (await deviceRoute.PATCH(request("PATCH", `/api/devices/${home.deviceId}`, { cookie: replayed, json: { home: true } }), params({ id: home.deviceId }))).status,
      revokeHome: (await deviceRoute.DELETE(request("DELETE", `/api/devices/${home.deviceId}`, { cookie: replayed }), params({ id: home.deviceId }))).status,
    };
    expect(answers).toEqual({ register: 401, list: 401, claimHome: 401, revokeHome: 401 });
    expect(await db().device.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  });
});

describe("GET /api/users/:nickname", () => {
  it("needs a signed-in user", async () => {
    await makeUser("listed");
    const res = await lookUp("listed");
    expect(res.status).toBe(401);
  });

  it(`is rate-limited per user: of ${RATE_RULES.lookupPerUser.limit + 50} lookups of guessed nicknames, ${RATE_RULES.lookupPerUser.limit} are answered`, async () => {
    const prober = await makeUser("prober");
    const { cookie } = await deviceOf(prober, "prober's pc");
    const statuses: number[] = [];
    const tries = RATE_RULES.lookupPerUser.limit + 50;
    for (let i = 0; i < tries && !statuses.includes(429); i++) statuses.push((await lookUp(`guess${i}`, cookie)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 404).length).toBe(RATE_RULES.lookupPerUser.limit);
  });

  it("answers a malformed percent-encoding (/api/users/%25E0) with 400, not 500", async () => {
    const somebody = await makeUser("decoder");
    const { cookie } = await deviceOf(somebody, "decoder's pc");
    // Next decodes the path once: /api/users/%25E0 arrives as the parameter "%E0".
    const res = await usersRoute.GET(request("GET", "/api/users/%25E0", { cookie }), params({ nickname: "%E0" }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
  });
});

describe("GET /api/users/:nickname/presence", () => {
  it("is rate-limited per user", async () => {
    const prober = await makeUser("presence-prober");
    const { cookie } = await deviceOf(prober, "prober's pc");
    const statuses: number[] = [];
    // Unknown nicknames: answered from the database alone, no signaling needed.
    for (let i = 0; i < 1000 && !statuses.includes(429); i++) {
      const nickname = `nobody${i}`;
      statuses.push((await presenceRoute.GET(request("GET", `/api/users/${nickname}/presence`, { cookie }), params({ nickname }))).status);
    }
    expect(statuses).toContain(429);
  }, 60_000);
});

describe("devices of an account", () => {
  it("are capped at 20 live devices", async () => {
    const collector = await makeUser("collector");
    await deviceOf(collector, "first");
    const statuses: number[] = [];
    // Each registration from a fresh sign-in, as a thief with the password would.
    for (let i = 0; i < 21; i++) statuses.push((await register(await sessionCookie(collector), `extra ${i}`)).status);
    expect(await db().device.count({ where: { userId: collector.userId, revokedAt: null } })).toBe(20);
    expect(statuses.at(-1)).toBe(409);
  });

  it.each([
    ["a right-to-left override", "invoice\u202Egpj.exe"],
    ["a left-to-right isolate", "laptop\u2066x\u2069"],
    ["a zero-width space", "home\u200Bpc"],
    ["a zero-width joiner", "home\u200Dpc"],
    ["a zero-width no-break space (BOM) inside", "home\uFEFFpc"],
    ["an Arabic letter mark", "pc\u061C"],
  ])("refuse a name with %s", async (_what, name) => {
    const person = await makeUser(`named${name.length}${Math.random().toString(36).slice(2, 6)}`);
    const res = await register(await sessionCookie(person), name);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("name: must not contain bidirectional controls or invisible characters");
    expect(await db().device.count({ where: { userId: person.userId } })).toBe(0);
  });

  it("keep no more than a few revoked rows: revoked devices are pruned", async () => {
    const churner = await makeUser("churner");
    const home = await deviceOf(churner, "home");
    for (let i = 0; i < 30; i++) {
      const temp = await db().device.create({ data: { userId: churner.userId, name: `temp ${i}`, ...newKeys() } });
      expect((await deviceRoute.DELETE(request("DELETE", `/api/devices/${temp.id}`, { cookie: home.cookie }), params({ id: temp.id }))).status).toBe(204);
    }
    expect(await db().device.count({ where: { userId: churner.userId, revokedAt: { not: null } } })).toBeLessThanOrEqual(10);
  }, 30_000);
});
