import { request, useDatabaseOver, type DatabaseTransport } from "../../support/test-env";

// POST /api/register's cases, run once per database transport
// (register.test.ts over a file, register.hrana.test.ts over libSQL's HTTP
// protocol): the answers must not depend on how the database is reached.

// Each sign-up costs a full scrypt (N=2^17), a second or more on a busy machine.
const TWO_SIGN_UPS_MS = 20_000;

export function describeRegister(transport: DatabaseTransport): void {
  const database = useDatabaseOver(transport);
  // Loaded once the configuration points at this database.
  let register: typeof import("@/app/api/register/route").POST;
  let db: typeof import("@/lib/db/client").db;
  let setLimiter: typeof import("@/lib/auth/limits").setLimiter;
  let MemoryRateLimiter: typeof import("@/lib/auth/rate-limit").MemoryRateLimiter;

  beforeAll(async () => {
    await database.ready();
    ({ POST: register } = require("@/app/api/register/route") as typeof import("@/app/api/register/route"));
    ({ db } = require("@/lib/db/client") as typeof import("@/lib/db/client"));
    ({ setLimiter } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits"));
    ({ MemoryRateLimiter } = require("@/lib/auth/rate-limit") as typeof import("@/lib/auth/rate-limit"));
  });
  afterAll(async () => {
    await db().$disconnect();
    await database.cleanup();
  });

  const body = async (res: Response) => (await res.json()) as { nickname?: string; error?: { code: string; message: string } };

  describe(`POST /api/register (database over ${transport})`, () => {
    it(`reaches its database ${transport === "hrana" ? "over HTTP through the Hrana stand-in" : "as a local file"}`, async () => {
      const before = database.pipelinesServed();
      await db().user.count();
      if (transport === "hrana") {
        expect(database.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(database.pipelinesServed()).toBeGreaterThan(before);
      } else {
        expect(database.url).toMatch(/^file:/);
        expect(database.pipelinesServed()).toBe(0);
      }
    });

    it("creates an account with the nickname stored lowercase, and a scrypt hash instead of the password", async () => {
      const res = await register(request("POST", "/api/register", { json: { nickname: "  Alice_01 ", password: "correct horse battery" } }), {});
      expect(res.status).toBe(201);
      expect(await body(res)).toEqual({ nickname: "alice_01" });
      const user = await db().user.findUniqueOrThrow({ where: { nickname: "alice_01" } });
      expect(user.passwordHash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
      expect(user.passwordHash).not.toContain("correct horse");
    });

    it("answers 409 for a taken nickname, whatever its case", async () => {
      const res = await register(request("POST", "/api/register", { json: { nickname: "ALICE_01", password: "another password" } }), {});
      expect(res.status).toBe(409);
      expect((await body(res)).error).toEqual({ code: "nickname_taken", message: 'The nickname "alice_01" is taken. Choose another.' });
    });

    it("answers 409 nickname_taken when the same nickname signs up twice, keeping the first account", async () => {
      const first = await register(request("POST", "/api/register", { json: { nickname: "twice", password: "first password" } }), {});
      expect(first.status).toBe(201);
      const second = await register(request("POST", "/api/register", { json: { nickname: "twice", password: "second password" } }), {});
      expect({ status: second.status, error: (await body(second)).error }).toEqual({
        status: 409,
        error: { code: "nickname_taken", message: 'The nickname "twice" is taken. Choose another.' },
      });
      expect(await db().user.count({ where: { nickname: "twice" } })).toBe(1);
    }, TWO_SIGN_UPS_MS);

    it("lets exactly one of two simultaneous sign-ups of a nickname through; the other gets 409", async () => {
      const attempt = () => register(request("POST", "/api/register", { json: { nickname: "racer", password: "long enough pw" } }), {});
      const statuses = (await Promise.all([attempt(), attempt()])).map((res) => res.status).sort();
      expect(statuses).toEqual([201, 409]);
      expect(await db().user.count({ where: { nickname: "racer" } })).toBe(1);
    }, TWO_SIGN_UPS_MS);

    it.each([
      ["a 2-letter nickname", { nickname: "ab", password: "long enough pw" }, "nickname: must be at least 3 characters"],
      ["a 25-letter nickname", { nickname: "a".repeat(25), password: "long enough pw" }, "nickname: must be at most 24 characters"],
      ["a nickname with a space", { nickname: "bad name", password: "long enough pw" }, "nickname: may only contain letters a–z, digits, _ and -"],
      ["a nickname with an accent", { nickname: "émile", password: "long enough pw" }, "nickname: may only contain letters a–z, digits, _ and -"],
      ["a 5-character password", { nickname: "carol", password: "short" }, "password: must be at least 10 characters"],
      ["a 257-character password", { nickname: "carol", password: "x".repeat(257) }, "password: must be at most 256 characters"],
      ["a numeric nickname", { nickname: 42, password: "long enough pw" }, "nickname: must be a string"],
      ["a missing password", { nickname: "carol" }, "password: must be a string"],
      ["an unknown field", { nickname: "carol", password: "long enough pw", admin: true }, 'body: Unrecognized key: "admin"'],
      ["an array", ["carol", "long enough pw"], "body: Invalid input: expected object, received array"],
    ])("refuses %s with 400 saying which rule", async (_label, json, message) => {
      const res = await register(request("POST", "/api/register", { json }), {});
      expect(res.status).toBe(400);
      expect((await body(res)).error).toEqual({ code: "invalid_input", message });
    });

    it("counts password length in characters, not bytes", async () => {
      const res = await register(request("POST", "/api/register", { json: { nickname: "emoji", password: "🔑".repeat(10) } }), {});
      expect(res.status).toBe(201);
    });

    it("refuses malformed JSON, a non-JSON content type and a body over 16 KiB", async () => {
      const malformed = await register(request("POST", "/api/register", { body: '{"nickname":' }), {});
      expect(malformed.status).toBe(400);
      expect((await body(malformed)).error?.code).toBe("invalid_json");

      const form = await register(request("POST", "/api/register", { body: "nickname=a&password=b", contentType: "application/x-www-form-urlencoded" }), {});
      expect(form.status).toBe(415);

      const huge = await register(request("POST", "/api/register", { json: { nickname: "bigbody", password: "p".repeat(17 * 1024) } }), {});
      expect(huge.status).toBe(413);
      expect((await body(huge)).error?.code).toBe("payload_too_large");
      expect(await db().user.count({ where: { nickname: "bigbody" } })).toBe(0);
    });

    it("rate-limits sign-ups from one address with 429 and Retry-After, creating nothing more", async () => {
      // The real limiter with a smaller allowance, so the test stays quick.
      setLimiter("registerPerIp", new MemoryRateLimiter({ limit: 2, windowMs: 60_000 }));
      const ip = "203.0.113.9";
      const first = await register(request("POST", "/api/register", { ip, json: { nickname: "flood1", password: "long enough pw" } }), {});
      const second = await register(request("POST", "/api/register", { ip, json: { nickname: "flood2", password: "long enough pw" } }), {});
      const third = await register(request("POST", "/api/register", { ip, json: { nickname: "flood3", password: "long enough pw" } }), {});
      expect([first.status, second.status, third.status]).toEqual([201, 201, 429]);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await body(third)).error).toEqual({ code: "rate_limited", message: expect.stringMatching(/^Too many attempts. Try again in \d+ seconds.$/) });
      expect(await db().user.count({ where: { nickname: "flood3" } })).toBe(0);
      // Another address is not affected.
      expect((await register(request("POST", "/api/register", { json: { nickname: "flood4", password: "long enough pw" } }), {})).status).toBe(201);
    });

    it("rate-limits attempts on one nickname from many addresses", async () => {
      setLimiter("registerPerNickname", new MemoryRateLimiter({ limit: 1, windowMs: 60_000 }));
      expect((await register(request("POST", "/api/register", { json: { nickname: "contested", password: "long enough pw" } }), {})).status).toBe(201);
      const res = await register(request("POST", "/api/register", { json: { nickname: "contested", password: "long enough pw" } }), {});
      expect(res.status).toBe(429);
    });

    it("never leaks internals: a real database failure is a plain 500", async () => {
      const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
      await db().$executeRawUnsafe(`ALTER TABLE "User" RENAME TO "User_away"`);
      try {
        const res = await register(request("POST", "/api/register", { json: { nickname: "unlucky", password: "long enough pw" } }), {});
        expect(res.status).toBe(500);
        const text = JSON.stringify(await body(res));
        expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: "Something went wrong on the server. Try again." } });
        expect(text).not.toMatch(/User|SQLITE|prisma|\.ts/i);
      } finally {
        await db().$executeRawUnsafe(`ALTER TABLE "User_away" RENAME TO "User"`);
        spy.mockRestore();
      }
    });
  });
}
