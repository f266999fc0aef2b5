import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { PrismaClient } from "@/lib/db/generated/client";
import { applyMigrations } from "@/lib/db/migrate";
import { MIGRATIONS_DIR, readMigrations } from "@/lib/db/migrations";
import { startHranaServer, type HranaServer } from "../../support/hrana-server";
import { makeTempDir } from "../../support/temp-dir";

// lib/db/migrate.ts over libSQL's HTTP protocol, as a hosted deployment runs
// it: each executeScript is a Hrana `sequence` on a stream of its own, so a
// failed migration's open transaction must end with its stream.

const TOKEN = "migrate-token";
let temp: ReturnType<typeof makeTempDir>;
let server: HranaServer;
let file: string;
const overHttp = () => createAdapterFactory(parseDatabaseUrl(server.url, TOKEN));
/** Reads the file directly, not through the server under test. */
function readFile<T>(read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const recorded = () => readFile((db) => db.prepare(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`).all() as Record<string, unknown>[]);
const tableExists = (name: string) => readFile((db) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined);

beforeEach(async () => {
  temp = makeTempDir("migrate-hrana");
  file = path.join(temp.dir, "app.db");
  server = await startHranaServer({ file, authToken: TOKEN });
});
afterEach(async () => {
  await server.close();
  temp.remove();
});

function copyMigrations(): string {
  const dir = path.join(temp.dir, "migrations");
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(path.join(dir, name));
  writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

describe("lib/db/migrate over Hrana (HTTP)", () => {
  it("applies every migration to a fresh database, recorded as Prisma records them, and the models round-trip", async () => {
    const result = await applyMigrations(overHttp(), readMigrations());
    expect(result.applied).toEqual(readMigrations().map((m) => m.name));
    expect(server.pipelinesServed()).toBeGreaterThan(0);
    for (const row of recorded()) {
      expect(row).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
      expect(row.checksum).toBe(readMigrations().find((m) => m.name === row.migration_name)!.checksum);
      expect(String(row.finished_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }
    const client = new PrismaClient({ adapter: overHttp() });
    const user = await client.user.create({ data: { nickname: "migrated", passwordHash: "$scrypt$x" } });
    const device = await client.device.create({ data: { userId: user.id, name: "laptop", signPublicKey: "s", dhPublicKey: "d", home: true } });
    await client.pushSubscription.create({ data: { deviceId: device.id, endpoint: "https://push.example/m", p256dh: "p", auth: "a" } });
    const read = await client.user.findUniqueOrThrow({ where: { id: user.id }, include: { devices: { include: { pushSubscriptions: true } } } });
    expect(read.devices[0]).toMatchObject({ name: "laptop", home: true, revokedAt: null });
    expect(read.devices[0]!.createdAt).toBeInstanceOf(Date);
    expect(read.devices[0]!.pushSubscriptions).toHaveLength(1);
    await client.user.delete({ where: { id: user.id } });
    expect(await client.pushSubscription.count()).toBe(0); // foreign keys cascade over HTTP too
    await client.$disconnect();
  });

  it("does nothing on a second run", async () => {
    await applyMigrations(overHttp(), readMigrations());
    const before = recorded();
    expect(await applyMigrations(overHttp(), readMigrations())).toEqual({ applied: [], alreadyApplied: before.length });
    expect(recorded()).toEqual(before);
  });

  it("applies a new migration on top of a database migrated from a file", async () => {
    const dir = copyMigrations();
    await applyMigrations(createAdapterFactory(parseDatabaseUrl(`file:${file}`)), readMigrations(dir));
    addMigration(dir, "29990101000000_add_note", `ALTER TABLE "User" ADD COLUMN "note" TEXT;\n`);
    expect((await applyMigrations(overHttp(), readMigrations(dir))).applied).toEqual(["29990101000000_add_note"]);
    expect(recorded().map((r) => r.migration_name)).toContain("29990101000000_add_note");
  });

  it("rolls back a migration that fails part-way and records it as failed", async () => {
    const dir = copyMigrations();
    await applyMigrations(overHttp(), readMigrations(dir));
    // The first statement runs inside the migration's transaction before the second fails.
    addMigration(dir, "29990102000000_broken", `CREATE TABLE "Half" (id TEXT);\nINSERT INTO "NoSuchTable" VALUES (1);\n`);
    await expect(applyMigrations(overHttp(), readMigrations(dir))).rejects.toMatchObject({ code: "apply_failed", migration: "29990102000000_broken" });
    expect(tableExists("Half")).toBe(false);
    const failed = recorded().find((r) => r.migration_name === "29990102000000_broken")!;
    expect(failed).toMatchObject({ finished_at: null, applied_steps_count: 0 });
    expect(String(failed.logs)).toMatch(/no such table: NoSuchTable/);
    // The next start stops with its name, as it does on a file.
    await expect(applyMigrations(overHttp(), readMigrations(dir))).rejects.toMatchObject({ code: "failed_migration", migration: "29990102000000_broken" });
    // Nothing was left holding the write lock.
    expect(server.openStreams()).toBe(0);
  });

  it("refuses a migration with a syntax error before running any of it", async () => {
    const dir = copyMigrations();
    await applyMigrations(overHttp(), readMigrations(dir));
    addMigration(dir, "29990103000000_typo", `CREATE TABLE "Typo" (id TEXT);\nTHIS IS NOT SQL;\n`);
    await expect(applyMigrations(overHttp(), readMigrations(dir))).rejects.toMatchObject({ code: "apply_failed", migration: "29990103000000_typo" });
    expect(tableExists("Typo")).toBe(false);
    expect(String(recorded().find((r) => r.migration_name === "29990103000000_typo")!.logs)).toMatch(/syntax error/);
  });
});

describe("two processes migrating at once (several app instances starting together)", () => {
  const viaFile = () => createAdapterFactory(parseDatabaseUrl(`file:${file}`));

  it.each([
    ["over Hrana", overHttp],
    ["on a file", viaFile],
  ])("applies each migration once %s, and neither start fails", async (_label, factory) => {
    const dir = copyMigrations();
    // A data migration would run twice, silently, if the second start did not notice the first.
    addMigration(dir, "29990104000000_seed", `INSERT INTO "User" (id, nickname, passwordHash) VALUES ('seed', 'seed', 'x');\n`);
    const results = await Promise.all([applyMigrations(factory(), readMigrations(dir)), applyMigrations(factory(), readMigrations(dir))]);
    const names = readMigrations(dir).map((m) => m.name);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names.sort());
    expect(results.map((r) => r.applied.length + r.alreadyApplied)).toEqual([names.length, names.length]);
    expect(recorded().map((r) => [r.migration_name, r.finished_at !== null])).toEqual(names.sort().map((n) => [n, true]));
    expect(readFile((db) => db.prepare(`SELECT count(*) AS n FROM "User" WHERE id = 'seed'`).get())).toEqual({ n: 1 });
    // And the next start is a quiet one.
    expect((await applyMigrations(factory(), readMigrations(dir))).applied).toEqual([]);
  });
});
