import path from "node:path";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { PrismaClient } from "@/lib/db/generated/client";
import { applyMigrations } from "@/lib/db/migrate";
import { readMigrations } from "@/lib/db/migrations";
import { DbRateLimiter } from "@/lib/auth/db-rate-limiter";
import { makeTempDir } from "../../support/temp-dir";

// Rate limits kept in the app's database (issue 10): the same token bucket as
// the in-memory one, through both drivers the app uses (better-sqlite3 for the
// embedded file, libSQL for hosted databases), shared by every client of the
// database, and exact under concurrency.

let temp: ReturnType<typeof makeTempDir>;
const clients: PrismaClient[] = [];
beforeEach(() => (temp = makeTempDir("buckets")));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.$disconnect()));
  temp.remove();
});

async function database(viaLibsql: boolean): Promise<() => PrismaClient> {
  const target = parseDatabaseUrl(`file:${path.join(temp.dir, "buckets.db")}`);
  await applyMigrations(createAdapterFactory(target, { viaLibsql }), readMigrations());
  const client = new PrismaClient({ adapter: createAdapterFactory(target, { viaLibsql }) });
  clients.push(client);
  return () => client;
}

describe.each([
  ["better-sqlite3", false],
  ["libSQL", true],
])("DbRateLimiter through %s", (_driver, viaLibsql) => {
  it("allows `limit` attempts, then refuses with the seconds until the next, and refills continuously", async () => {
    let now = 1_000_000;
    const limiter = new DbRateLimiter(await database(viaLibsql), "test", { limit: 3, windowMs: 60_000 }, () => now);
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await limiter.consume("k"));
    expect(first.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(first[3]!.retryAfterSec).toBe(20);
    now += 20_000;
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
    now += 10 * 60_000;
    const refilled = [];
    for (let i = 0; i < 4; i++) refilled.push((await limiter.consume("k")).allowed);
    expect(refilled).toEqual([true, true, true, false]);
  });

  it("keeps keys and rules apart", async () => {
    const db = await database(viaLibsql);
    const a = new DbRateLimiter(db, "ruleA", { limit: 1, windowMs: 60_000 });
    const b = new DbRateLimiter(db, "ruleB", { limit: 1, windowMs: 60_000 });
    expect((await a.consume("x")).allowed).toBe(true);
    expect((await a.consume("x")).allowed).toBe(false);
    expect((await a.consume("y")).allowed).toBe(true);
    expect((await b.consume("x")).allowed).toBe(true);
  });

  it("is one bucket for every client of the database (instances of a deployment), and exact under concurrent attempts", async () => {
    const first = await database(viaLibsql);
    const target = parseDatabaseUrl(`file:${path.join(temp.dir, "buckets.db")}`);
    const second = new PrismaClient({ adapter: createAdapterFactory(target, { viaLibsql }) });
    clients.push(second);
    const rule = { limit: 5, windowMs: 3_600_000 };
    const limiters = [new DbRateLimiter(first, "shared", rule), new DbRateLimiter(() => second, "shared", rule)];
    const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => limiters[i % 2]!.consume("victim")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it("drops buckets that are full again, so the table does not grow with every address ever seen", async () => {
    let now = Date.now();
    const db = await database(viaLibsql);
    const limiter = new DbRateLimiter(db, "prune", { limit: 2, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 10; i++) await limiter.consume(`address-${i}`);
    now += 2 * 60 * 60_000; // past the window and past the once-a-minute pruning
    await limiter.consume("fresh");
    expect(await db().rateBucket.count()).toBe(1);
  });

  it("refuses a nonsensical rule", async () => {
    const db = await database(viaLibsql);
    expect(() => new DbRateLimiter(db, "x", { limit: 0, windowMs: 1 })).toThrow(RangeError);
    expect(() => new DbRateLimiter(db, "x", { limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});
