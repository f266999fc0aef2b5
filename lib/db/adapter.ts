import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { Client, Config } from "@libsql/client";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { withConstraintCodes } from "./libsql-constraint-codes";

// The one place that turns DATABASE_URL into a driver adapter. A `file:` URL is
// the embedded default: SQLite opened in-process through better-sqlite3. A
// libSQL URL (Turso, sqld) is the hosted option. Both run the same schema and
// the same migrations.

/**
 * DATABASE_URL, or under `npm start` the embedded file in DATA_DIR. Never a
 * silent default under `next start`: an empty database that answers health
 * checks and fails every sign-up is worse than refusing to start.
 */
export function resolveDatabaseUrl(config: { DATABASE_URL?: string; DATA_DIR: string }, mode: "embedded" | "hosted"): string {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  if (mode === "embedded") return `file:${path.join(config.DATA_DIR, "communisp.db")}`;
  throw new Error("DATABASE_URL is not set (required under `next start`; see .env.example)");
}

export type DatabaseTarget =
  | { kind: "file"; url: string; filePath: string }
  | { kind: "libsql"; url: string; authToken?: string };

const libsqlSchemes = ["libsql:", "https:", "http:", "wss:", "ws:"];

export function parseDatabaseUrl(url: string, authToken?: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const filePath = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (filePath === "" || filePath.includes("?")) {
      throw new RangeError(`DATABASE_URL ${JSON.stringify(url)} must name a file, e.g. file:./data/communisp.db`);
    }
    return { kind: "file", url, filePath: path.resolve(filePath) };
  }
  const scheme = /^[a-z]+:/i.exec(url)?.[0]?.toLowerCase();
  if (scheme !== undefined && libsqlSchemes.includes(scheme)) {
    return { kind: "libsql", url, authToken };
  }
  throw new RangeError(`DATABASE_URL must start with file: (embedded SQLite) or libsql:/https: (Turso, sqld); got ${JSON.stringify(url.split(":")[0] + ":")}`);
}

/**
 * The libSQL adapter, with its client reporting which constraint failed even
 * over HTTP, where a libSQL server sends only SQLITE_CONSTRAINT
 * (libsql-constraint-codes.ts). `createClient` is the factory's public
 * hook for the client it connects with (see its index-node.d.ts).
 */
class PrismaLibSqlWithConstraintCodes extends PrismaLibSql {
  override createClient(config: Config): Client {
    return withConstraintCodes(super.createClient(config));
  }
}

/**
 * `viaLibsql` opens a file through the libSQL client instead, so tests can run
 * the hosted adapter against a local file.
 */
export function createAdapterFactory(target: DatabaseTarget, opts: { viaLibsql?: boolean } = {}): SqlMigrationAwareDriverAdapterFactory {
  if (target.kind === "file") {
    mkdirSync(path.dirname(target.filePath), { recursive: true });
    if (opts.viaLibsql) return new PrismaLibSqlWithConstraintCodes({ url: `file:${target.filePath}` });
    return new PrismaBetterSqlite3({ url: `file:${target.filePath}` });
  }
  return new PrismaLibSqlWithConstraintCodes({ url: target.url, authToken: target.authToken });
}
