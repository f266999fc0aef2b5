import { randomUUID } from "node:crypto";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { checksumMatches, type Migration } from "./migrations";

// Applies pending migrations the way `prisma migrate deploy` does, recording
// each in `_prisma_migrations` with Prisma's own columns and checksum, so a
// machine with the Prisma CLI can run `migrate status`/`deploy` on the same
// database. The app runs this at start because the CLI's native engine cannot
// be downloaded everywhere.

export type MigrationErrorCode = "checksum_mismatch" | "failed_migration" | "unknown_migration" | "apply_failed";

export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    readonly migration: string,
    message: string,
  ) {
    super(message);
    this.name = "MigrationError";
  }
}

// Byte for byte the table Prisma's SQLite connector creates.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

async function readApplied(db: SqlDriverAdapter): Promise<AppliedRow[]> {
  const result = await db.queryRaw({
    sql: `SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    args: [],
    argTypes: [],
  });
  return result.rows.map(([name, checksum, finished, rolledBack]) => ({
    name: String(name),
    checksum: String(checksum),
    finished: Number(finished) === 1,
    rolledBack: Number(rolledBack) === 1,
  }));
}

/** Refuses to go on from a database this code cannot vouch for. */
function checkHistory(applied: AppliedRow[], migrations: Migration[]): Set<string> {
  const known = new Map(migrations.map((m) => [m.name, m]));
  const done = new Set<string>();
  for (const row of applied) {
    if (row.rolledBack) continue;
    if (!row.finished) {
      throw new MigrationError(
        "failed_migration",
        row.name,
        `Migration ${row.name} failed on this database earlier and was never resolved. Fix the database, then mark it with \`prisma migrate resolve --rolled-back ${row.name}\` (or --applied).`,
      );
    }
    const migration = known.get(row.name);
    if (!migration) {
      throw new MigrationError(
        "unknown_migration",
        row.name,
        `The database has migration ${row.name}, which prisma/migrations does not contain: it was made by a newer or different version of this app.`,
      );
    }
    if (!checksumMatches(migration.sql, row.checksum)) {
      throw new MigrationError(
        "checksum_mismatch",
        row.name,
        `Migration ${row.name} was modified after it was applied: prisma/migrations/${row.name}/migration.sql no longer matches the checksum recorded in _prisma_migrations. Restore the original file and put the change in a new migration.`,
      );
    }
    done.add(row.name);
  }
  return done;
}

const sqlText = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The timestamp format Prisma's engine writes and reads: RFC 3339 with an explicit offset. */
const prismaTimestamp = (date: Date) => date.toISOString().replace("Z", "+00:00");

/** True when the history records this migration as applied: another process did it while we waited. */
async function appliedMeanwhile(db: SqlDriverAdapter, name: string): Promise<boolean> {
  return (await readApplied(db)).some((row) => row.name === name && row.finished && !row.rolledBack);
}

async function applyOne(db: SqlDriverAdapter, migration: Migration, now: Date): Promise<"applied" | "applied_meanwhile"> {
  // One script so the schema change and its record commit together: a crash
  // part-way leaves neither. IMMEDIATE takes the write lock first. Inside it,
  // the guard stops the script if another process (another instance starting
  // at the same moment) applied this migration after we read the history:
  // json() of non-JSON is an error, evaluated only if that record exists.
  const script = [
    "BEGIN IMMEDIATE;",
    `SELECT json('applied by another process') FROM "_prisma_migrations" WHERE migration_name = ${sqlText(migration.name)} AND finished_at IS NOT NULL AND rolled_back_at IS NULL;`,
    migration.sql,
    ";",
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)`,
    ` SELECT ${sqlText(randomUUID())}, ${sqlText(migration.checksum)}, ${sqlText(prismaTimestamp(now))}, ${sqlText(migration.name)}, NULL, NULL, ${sqlText(prismaTimestamp(now))}, 1`,
    ` WHERE NOT EXISTS (SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ${sqlText(migration.name)} AND rolled_back_at IS NULL);`,
    "COMMIT;",
  ].join("\n");
  try {
    await db.executeScript(script);
    return "applied";
  } catch (error) {
    await db.executeScript("ROLLBACK;").catch(() => undefined);
    if (await appliedMeanwhile(db, migration.name)) return "applied_meanwhile";
    const logs = error instanceof Error ? error.message : String(error);
    // Recorded as failed, as Prisma does, so later starts stop and say so.
    await db.executeRaw({
      sql: `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count) VALUES (?, ?, NULL, ?, ?, ?, 0)`,
      args: [randomUUID(), migration.checksum, migration.name, logs, prismaTimestamp(now)],
      argTypes: [
        { scalarType: "string", arity: "scalar" },
        { scalarType: "string", arity: "scalar" },
        { scalarType: "string", arity: "scalar" },
        { scalarType: "string", arity: "scalar" },
        { scalarType: "string", arity: "scalar" },
      ],
    });
    throw new MigrationError("apply_failed", migration.name, `Migration ${migration.name} failed and was rolled back: ${logs}`);
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export async function applyMigrations(
  factory: SqlMigrationAwareDriverAdapterFactory,
  migrations: Migration[],
  clock: () => Date = () => new Date(),
): Promise<MigrateResult> {
  const db = await factory.connect();
  try {
    await db.executeScript(CREATE_MIGRATIONS_TABLE);
    const done = checkHistory(await readApplied(db), migrations);
    const applied: string[] = [];
    let appliedElsewhere = 0;
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      if ((await applyOne(db, migration, clock())) === "applied") applied.push(migration.name);
      else appliedElsewhere++;
    }
    return { applied, alreadyApplied: done.size + appliedElsewhere };
  } finally {
    await db.dispose();
  }
}

/**
 * Names of the migrations this code has that the database lacks, without
 * applying anything (a hosted start checks; `npm run db:migrate` applies).
 * Throws MigrationError for a history this code cannot vouch for.
 */
export async function pendingMigrations(factory: SqlMigrationAwareDriverAdapterFactory, migrations: Migration[]): Promise<string[]> {
  const db = await factory.connect();
  try {
    // Read-only: a database that never saw a migration has no table yet.
    const table = await db.queryRaw({ sql: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`, args: [], argTypes: [] });
    const done = table.rows.length === 0 ? new Set<string>() : checkHistory(await readApplied(db), migrations);
    return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
  } finally {
    await db.dispose();
  }
}
