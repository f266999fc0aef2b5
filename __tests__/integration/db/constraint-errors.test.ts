import path from "node:path";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { PrismaClient } from "@/lib/db/generated/client";
import { restoreConstraintCode } from "@/lib/db/libsql-constraint-codes";
import { applyMigrations } from "@/lib/db/migrate";
import { readMigrations } from "@/lib/db/migrations";
import { startHranaServer, type HranaServer } from "../../support/hrana-server";
import { makeTempDir } from "../../support/temp-dir";

// Constraint violations must reach the app as the same Prisma errors however
// the database is reached: the app's "taken" answers (a nickname, a push
// endpoint) rest on P2002. Over HTTP, sqld reports only the primary code
// SQLITE_CONSTRAINT, which by itself Prisma cannot tell apart from any other
// SQLite failure.

let temp: ReturnType<typeof makeTempDir>;
let server: HranaServer;
const clients: Record<string, PrismaClient> = {};

beforeAll(async () => {
  temp = makeTempDir("constraints");
  const fileUrl = `file:${path.join(temp.dir, "app.db")}`;
  server = await startHranaServer({ file: parseDatabaseUrl(fileUrl).url.slice("file:".length), authToken: "constraint-token" });
  const hrana = parseDatabaseUrl(server.url, "constraint-token");
  await applyMigrations(createAdapterFactory(hrana), readMigrations());
  clients.file = new PrismaClient({ adapter: createAdapterFactory(parseDatabaseUrl(fileUrl)) });
  clients["file via libsql"] = new PrismaClient({ adapter: createAdapterFactory(parseDatabaseUrl(fileUrl), { viaLibsql: true }) });
  clients["hrana over http"] = new PrismaClient({ adapter: createAdapterFactory(hrana) });
});
afterAll(async () => {
  for (const client of Object.values(clients)) await client.$disconnect();
  await server.close();
  temp.remove();
});

describe.each(["file", "file via libsql", "hrana over http"])("constraint errors through %s", (transport) => {
  const client = () => clients[transport]!;
  const tag = transport.replace(/\W+/g, "-");

  it("reports a taken nickname as P2002 naming the nickname field", async () => {
    await client().user.create({ data: { nickname: `nick-${tag}`, passwordHash: "x" } });
    const error = await client().user.create({ data: { nickname: `nick-${tag}`, passwordHash: "y" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "PrismaClientKnownRequestError", code: "P2002" });
    expect(JSON.stringify((error as { meta?: unknown }).meta)).toContain("nickname");
  });

  it("reports a push endpoint already stored as P2002 naming the endpoint field", async () => {
    const user = await client().user.create({ data: { nickname: `push-${tag}`, passwordHash: "x" } });
    const device = await client().device.create({ data: { userId: user.id, name: "d", signPublicKey: "s", dhPublicKey: "d" } });
    const data = { deviceId: device.id, endpoint: `https://push.example/${tag}`, p256dh: "p", auth: "a" };
    await client().pushSubscription.create({ data });
    const error = await client().pushSubscription.create({ data }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "P2002" });
    expect(JSON.stringify((error as { meta?: unknown }).meta)).toContain("endpoint");
  });

  it("reports a unique violation inside an interactive transaction as P2002, and rolls the transaction back", async () => {
    await client().user.create({ data: { nickname: `tx-${tag}`, passwordHash: "x" } });
    const error = await client()
      .$transaction(async (tx) => {
        await tx.user.create({ data: { nickname: `tx-other-${tag}`, passwordHash: "x" } });
        await tx.user.create({ data: { nickname: `tx-${tag}`, passwordHash: "x" } });
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "P2002" });
    expect(await client().user.count({ where: { nickname: `tx-other-${tag}` } })).toBe(0);
  });

  it("reports a device for an account that does not exist as P2003 (foreign key)", async () => {
    const error = await client()
      .device.create({ data: { userId: "no-such-user", name: "d", signPublicKey: "s", dhPublicKey: "d" } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "P2003" });
  });

  it("leaves other SQLite failures alone: a missing table is not a constraint error", async () => {
    const error = await client().$queryRawUnsafe("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).not.toMatch(/^P200[23]$/);
  });
});

describe("restoreConstraintCode", () => {
  // Shaped as @libsql/client's LibsqlError over HTTP: primary code, no rawCode.
  const overHttp = (message: string, code = "SQLITE_CONSTRAINT") => Object.assign(new Error(`${code}: SQLite error: ${message}`), { code, rawCode: undefined as number | undefined, extendedCode: undefined as string | undefined });

  it.each([
    ["UNIQUE constraint failed: User.nickname", 2067, "SQLITE_CONSTRAINT_UNIQUE"],
    ["UNIQUE constraint failed: t.a, t.b", 2067, "SQLITE_CONSTRAINT_UNIQUE"],
    ["NOT NULL constraint failed: User.passwordHash", 1299, "SQLITE_CONSTRAINT_NOTNULL"],
    ["FOREIGN KEY constraint failed", 787, "SQLITE_CONSTRAINT_FOREIGNKEY"],
    ["CHECK constraint failed: positive", 275, "SQLITE_CONSTRAINT_CHECK"],
  ])("gives %j SQLite's extended code %i", (message, rawCode, extendedCode) => {
    const error = overHttp(message);
    expect(restoreConstraintCode(error)).toBe(error);
    expect(error).toMatchObject({ rawCode, extendedCode, message: `SQLITE_CONSTRAINT: SQLite error: ${message}` });
  });

  it("leaves alone a code the driver already gave, other SQLite errors, unknown constraint wording and non-errors", () => {
    const coded = Object.assign(overHttp("UNIQUE constraint failed: t.a"), { rawCode: 1555 });
    restoreConstraintCode(coded);
    expect(coded.rawCode).toBe(1555);
    const other = overHttp("UNIQUE constraint failed: t.a", "SQLITE_UNKNOWN");
    restoreConstraintCode(other);
    expect(other.rawCode).toBeUndefined();
    const unknownWording = overHttp("constraint failed");
    restoreConstraintCode(unknownWording);
    expect(unknownWording.rawCode).toBeUndefined();
    for (const value of [null, undefined, "SQLITE_CONSTRAINT", 42]) expect(restoreConstraintCode(value)).toBe(value);
  });
});
