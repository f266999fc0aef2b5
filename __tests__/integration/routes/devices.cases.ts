import nacl from "tweetnacl";
import { params, request, sessionCookie, useDatabaseOver, type DatabaseTransport } from "../../support/test-env";

// The device and public-key routes' cases, run once per database transport
// (devices.test.ts over a file, devices.hrana.test.ts over libSQL's HTTP
// protocol).

export function describeDevices(transport: DatabaseTransport): void {
  const database = useDatabaseOver(transport);
  // Loaded once the configuration points at this database.
  let devicesRoute: typeof import("@/app/api/devices/route");
  let deviceRoute: typeof import("@/app/api/devices/[id]/route");
  let usersRoute: typeof import("@/app/api/users/[nickname]/route");
  let healthRoute: typeof import("@/app/api/health/route");
  let db: typeof import("@/lib/db/client").db;

  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  const newKeys = () => ({ signPublicKey: b64(nacl.sign.keyPair().publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey) });

  let alice: { id: string; cookie: string };
  let bob: { id: string; cookie: string };

  async function makeUser(nickname: string) {
    const user = await db().user.create({ data: { nickname, passwordHash: "$scrypt$unused" } });
    return { id: user.id, cookie: await sessionCookie({ userId: user.id, nickname }) };
  }

  async function addDevice(owner: { cookie: string }, name = "laptop", keys = newKeys()): Promise<string> {
    const res = await devicesRoute.POST(request("POST", "/api/devices", { cookie: owner.cookie, json: { name, ...keys } }), {});
    expect(res.status).toBe(201);
    return ((await res.json()) as { deviceId: string }).deviceId;
  }

  const patch = (cookie: string | undefined, id: string, json: unknown) => deviceRoute.PATCH(request("PATCH", `/api/devices/${id}`, { cookie, json }), params({ id }));
  const revoke = (cookie: string | undefined, id: string) => deviceRoute.DELETE(request("DELETE", `/api/devices/${id}`, { cookie }), params({ id }));
  const lookUp = (nickname: string) => usersRoute.GET(request("GET", `/api/users/${nickname}`), params({ nickname }));

  beforeAll(async () => {
    await database.ready();
    devicesRoute = require("@/app/api/devices/route") as typeof import("@/app/api/devices/route");
    deviceRoute = require("@/app/api/devices/[id]/route") as typeof import("@/app/api/devices/[id]/route");
    usersRoute = require("@/app/api/users/[nickname]/route") as typeof import("@/app/api/users/[nickname]/route");
    healthRoute = require("@/app/api/health/route") as typeof import("@/app/api/health/route");
    ({ db } = require("@/lib/db/client") as typeof import("@/lib/db/client"));
    alice = await makeUser("alice");
    bob = await makeUser("bob");
  });
  afterAll(async () => {
    await db().$disconnect();
    await database.cleanup();
  });

  describe(`devices (database over ${transport})`, () => {
    it("registers a device's public keys and lists it among the owner's devices", async () => {
      const keys = newKeys();
      const id = await addDevice(alice, "Alice's laptop", keys);
      const res = await devicesRoute.GET(request("GET", "/api/devices", { cookie: alice.cookie }), {});
      const { devices } = (await res.json()) as { devices: Record<string, unknown>[] };
      expect(devices).toContainEqual(expect.objectContaining({ id, name: "Alice's laptop", ...keys, home: false }));
      expect(devices.every((d) => !("userId" in d) && !("revokedAt" in d))).toBe(true);
    });

    it("answers 401 without a session and with a forged or garbage cookie", async () => {
      // Flip a character inside the ciphertext (the last one may only carry base64 padding bits).
      const middle = Math.floor(alice.cookie.length * 0.75);
      const forged = alice.cookie.slice(0, middle) + (alice.cookie[middle] === "A" ? "B" : "A") + alice.cookie.slice(middle + 1);
      for (const cookie of [undefined, forged, "next-auth.session-token=garbage"]) {
        expect((await devicesRoute.GET(request("GET", "/api/devices", { cookie }), {})).status).toBe(401);
        expect((await devicesRoute.POST(request("POST", "/api/devices", { cookie, json: { name: "x", ...newKeys() } }), {})).status).toBe(401);
        expect((await patch(cookie, "cabcdefghijklmnopqrstuvw", { name: "x" })).status).toBe(401);
        expect((await revoke(cookie, "cabcdefghijklmnopqrstuvw")).status).toBe(401);
      }
    });

    it("refuses a session of an account that no longer exists", async () => {
      const ghost = await makeUser("ghost");
      await db().user.delete({ where: { id: ghost.id } });
      expect((await devicesRoute.GET(request("GET", "/api/devices", { cookie: ghost.cookie }), {})).status).toBe(401);
    });

    it.each([
      [{ name: "x", signPublicKey: "short", dhPublicKey: newKeys().dhPublicKey }, "signPublicKey: must be the base64 encoding of a 32-byte public key"],
      [{ name: "", ...newKeys() }, "name: must not be empty"],
      [{ name: "n".repeat(65), ...newKeys() }, "name: must be at most 64 characters"],
      [{ name: "bell\u0007", ...newKeys() }, "name: must not contain control characters"],
      [{ name: "x", ...newKeys(), signSecretKey: "nope" }, 'body: Unrecognized key: "signSecretKey"'],
    ])("refuses bad device input %# with 400 naming the field", async (json, message) => {
      const res = await devicesRoute.POST(request("POST", "/api/devices", { cookie: alice.cookie, json }), {});
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: { code: "invalid_input", message } });
    });

    it("renames a device, and refuses an empty change", async () => {
      const id = await addDevice(alice, "old name");
      const res = await patch(alice.cookie, id, { name: "new name" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { device: { name: string } }).device.name).toBe("new name");
      expect((await patch(alice.cookie, id, {})).status).toBe(400);
      expect((await patch(alice.cookie, id, { home: "yes" })).status).toBe(400);
    });

    it("keeps at most one home device per account", async () => {
      const first = await addDevice(alice, "home pc");
      const second = await addDevice(alice, "other pc");
      expect((await patch(alice.cookie, first, { home: true })).status).toBe(200);
      expect((await patch(alice.cookie, second, { home: true })).status).toBe(200);
      const homes = await db().device.findMany({ where: { userId: alice.id, home: true } });
      expect(homes.map((d) => d.id)).toEqual([second]);
      // Concurrent claims still leave exactly one.
      await Promise.all([patch(alice.cookie, first, { home: true }), patch(alice.cookie, second, { home: true })]);
      expect(await db().device.count({ where: { userId: alice.id, home: true } })).toBe(1);
    });

    it("answers 403 for someone else's device and 404 for an unknown one, changing nothing", async () => {
      const bobs = await addDevice(bob, "bob's phone");
      const rename = await patch(alice.cookie, bobs, { name: "pwned" });
      expect(rename.status).toBe(403);
      expect(((await rename.json()) as { error: { code: string } }).error.code).toBe("forbidden");
      expect((await revoke(alice.cookie, bobs)).status).toBe(403);
      expect(await db().device.findUniqueOrThrow({ where: { id: bobs } })).toMatchObject({ name: "bob's phone", revokedAt: null });
      expect((await patch(alice.cookie, "cnotarealdevice000000000", { name: "x" })).status).toBe(404);
      expect((await patch(alice.cookie, "../../etc", { name: "x" })).status).toBe(404);
    });

    it("revokes a device: gone from the public key list, its push subscriptions deleted, no longer editable", async () => {
      const id = await addDevice(bob, "lost phone");
      await db().pushSubscription.create({ data: { deviceId: id, endpoint: "https://push.example/lost", p256dh: "p", auth: "a" } });
      expect((await revoke(bob.cookie, id)).status).toBe(204);
      const listed = (await (await lookUp("bob")).json()) as { devices: { id: string }[] };
      expect(listed.devices.map((d) => d.id)).not.toContain(id);
      expect(await db().pushSubscription.count({ where: { deviceId: id } })).toBe(0);
      expect((await patch(bob.cookie, id, { name: "found" })).status).toBe(404);
      expect((await revoke(bob.cookie, id)).status).toBe(404);
    });
  });

  describe(`GET /api/users/:nickname (database over ${transport})`, () => {
    it("returns public keys only, for any case of the nickname", async () => {
      const res = await lookUp("ALICE");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { nickname: string; devices: Record<string, unknown>[] };
      expect(body.nickname).toBe("alice");
      expect(body.devices.length).toBeGreaterThan(0);
      for (const device of body.devices) expect(Object.keys(device).sort()).toEqual(["dhPublicKey", "home", "id", "name", "signPublicKey"]);
    });

    it("answers 404 for an unknown or impossible nickname", async () => {
      expect((await lookUp("nobody")).status).toBe(404);
      expect((await lookUp("x")).status).toBe(404);
      expect((await lookUp("%00")).status).toBe(404);
    });
  });

  describe(`GET /api/health (database over ${transport})`, () => {
    it(`reaches its database ${transport === "hrana" ? "over HTTP through the Hrana stand-in" : "as a local file"}`, async () => {
      const before = database.pipelinesServed();
      expect((await healthRoute.GET(request("GET", "/api/health"), {})).status).toBe(200);
      if (transport === "hrana") {
        expect(database.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(database.pipelinesServed()).toBeGreaterThan(before);
      } else {
        expect(database.url).toMatch(/^file:/);
        expect(database.pipelinesServed()).toBe(0);
      }
    });

    it("reports the database as ok", async () => {
      const res = await healthRoute.GET(request("GET", "/api/health"), {});
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, db: "ok" });
    });
  });
}
