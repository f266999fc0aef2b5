import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Reads prisma/migrations exactly as `prisma migrate dev` lays it out:
// <timestamp>_<name>/migration.sql plus migration_lock.toml.

export interface Migration {
  /** Folder name, e.g. 20261127000000_init: also Prisma's migration_name. */
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");
const folderPattern = /^\d{14}_[A-Za-z0-9_]+$/;

/** Prisma's checksum: SHA-256 of the script, lowercase hex. */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/**
 * As Prisma's `script_matches_checksum`: a checkout with the other line
 * endings (git's autocrlf) still matches.
 */
export function checksumMatches(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replace(/\r\n/g, "\n"), sql.replace(/\r?\n/g, "\r\n")];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const lockPath = path.join(dir, "migration_lock.toml");
  if (!existsSync(lockPath)) throw new Error(`${lockPath} is missing: the migrations folder is incomplete`);
  const provider = /^provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lockPath, "utf8"))?.[1];
  if (provider !== "sqlite") throw new Error(`${lockPath} names provider ${JSON.stringify(provider)}; this app's migrations are for "sqlite"`);

  // Not traced into Next's output (the whole project would be): a hosted
  // build runs `npm run db:migrate`, and the start-up check copes without the folder.
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      if (!folderPattern.test(name)) throw new Error(`prisma/migrations/${name}: folder names are <14-digit timestamp>_<name>`);
      const file = path.join(dir, name, "migration.sql");
      if (!existsSync(file)) throw new Error(`prisma/migrations/${name}/migration.sql is missing`);
      const sql = readFileSync(file, "utf8");
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}
