// One SQLite connection, as one sqld stream owns one: statements run the way
// libsql-server/src/connection/program.rs runs them, and SQLite's errors come
// back as sqld reports them (libsql-server/src/hrana/stmt.rs).
import Database from "better-sqlite3";
import { HranaError, type ProtoCol, type SqlValue } from "./proto";
import type { StatementInfo } from "./sql-text";

/** One statement ready to run: sqld's `Query` (query.rs). */
export interface Query {
  sql: string;
  info: StatementInfo;
  params: { positional: SqlValue[] } | { named: Map<string, SqlValue> };
}

export interface QueryOutcome {
  cols: ProtoCol[];
  rows: unknown[][];
  affectedRowCount: number;
  lastInsertRowid: bigint | null;
  durationMs: number;
}

/** SQLITE_BUSY: another stream holds the write lock; the caller waits and retries (lock.ts). */
export class BusyError extends Error {
  readonly name = "BusyError";
}

// libsql-ffi/src/lib.rs Error::new and hrana/stmt.rs sqlite_error_code: the
// primary result codes sqld names; SQLITE_ERROR and the rest become SQLITE_UNKNOWN.
const NAMED_PRIMARY_CODES = new Set(
  "INTERNAL PERM ABORT BUSY LOCKED NOMEM READONLY INTERRUPT IOERR CORRUPT NOTFOUND FULL CANTOPEN PROTOCOL SCHEMA TOOBIG CONSTRAINT MISMATCH MISUSE NOLFS AUTH RANGE NOTADB"
    .split(" ")
    .map((name) => `SQLITE_${name}`),
);

/**
 * sqld sends the primary code only, never the extended one: that is the whole
 * of the bug this stand-in exists to reproduce. better-sqlite3 names the
 * extended code (SQLITE_CONSTRAINT_UNIQUE), so it is cut back to its primary.
 */
function sqliteFailure(error: SqliteFailure): HranaError {
  const primary = /^SQLITE_[A-Z]+/.exec(error.code)?.[0] ?? "";
  return new HranaError(`SQLite error: ${error.message}`, NAMED_PRIMARY_CODES.has(primary) ? primary : "SQLITE_UNKNOWN");
}

interface SqliteFailure {
  name: "SqliteError";
  code: string;
  message: string;
}

// By shape, not class: better-sqlite3's native addon keeps the SqliteError
// class of the first copy of its JavaScript loaded in the process, and Jest
// loads a fresh copy (in a fresh realm) for every test file.
const isNamed = (error: unknown, name: string) => typeof error === "object" && error !== null && (error as { name?: unknown }).name === name;
export const isSqliteFailure = (error: unknown): error is SqliteFailure => isNamed(error, "SqliteError") && typeof (error as SqliteFailure).code === "string";

export const argsInvalid = (detail: string) => new HranaError(`Arguments do not match SQL parameters: ${detail}`, "ARGS_INVALID");

/** Maps what better-sqlite3 throws to sqld's stream errors; anything else is a bug and propagates. */
export function toHranaError(error: unknown): HranaError | BusyError {
  if (isSqliteFailure(error)) return error.code === "SQLITE_BUSY" ? new BusyError(error.message) : sqliteFailure(error);
  // better-sqlite3's own checks on bound values (counts, missing names).
  if (isNamed(error, "RangeError") || isNamed(error, "TypeError")) {
    const { message } = error as Error;
    if (/parameter/i.test(message)) return argsInvalid(message);
    if (/more than one statement/.test(message)) return new HranaError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  }
  throw error;
}

/**
 * query.rs `Params::bind`: each SQLite parameter takes, by its index, a named
 * value (with or without its prefix) or the positional value at that index.
 * better-sqlite3 then wants anonymous values in order and the rest by name.
 */
function bindArguments(query: Query): unknown[] {
  const { params } = query.info;
  const count = "positional" in query.params ? query.params.positional.length : query.params.named.size;
  if (count > params.length) throw argsInvalid(`too many parameters, expected ${params.length} found ${count}`);
  const anonymous: unknown[] = [];
  const named: Record<string, unknown> = {};
  params.forEach((name, i) => {
    const byPosition = (position: number) => ("positional" in query.params ? query.params.positional[position - 1] : undefined);
    const byName = (key: string) => ("named" in query.params ? query.params.named.get(key) : undefined);
    const value = name === null ? byPosition(i + 1) : name.startsWith("?") ? byPosition(Number(name.slice(1))) : (byName(name) ?? byName(name.slice(1)));
    if (value === undefined) {
      if (query.info.isExplain) return;
      throw argsInvalid(`value for parameter ${name ?? i + 1} not found`);
    }
    if (name === null) anonymous.push(value);
    else named[name.slice(1)] = value;
  });
  return Object.keys(named).length > 0 ? [...anonymous, named] : anonymous;
}

export class Connection {
  private readonly db: Database.Database;
  private readonly counters: Database.Statement;
  /** When this connection's open transaction first wrote (it then holds SQLite's write lock). */
  writeSince: number | null = null;
  private forcedRollback = false;

  constructor(file: string) {
    // timeout 0: a busy handler would block the event loop, and with it the
    // request that would release the lock. lock.ts waits asynchronously instead.
    this.db = new Database(file, { timeout: 0 });
    // libsql is built with SQLITE_DEFAULT_FOREIGN_KEYS=1 (libsql-ffi/build.rs).
    this.db.pragma("foreign_keys = ON");
    this.counters = this.db.prepare("SELECT changes(), last_insert_rowid()").raw(true).safeIntegers(true);
  }

  get isAutocommit(): boolean {
    return !this.db.inTransaction;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** program.rs `execute_query`: rows are collected whatever `want_rows` says, as sqld does. */
  run(query: Query): QueryOutcome {
    const started = performance.now();
    let statement: Database.Statement;
    try {
      statement = this.db.prepare(query.sql);
    } catch (error) {
      throw toHranaError(error);
    }
    const args = bindArguments(query);
    let cols: ProtoCol[] = [];
    let rows: unknown[][] = [];
    try {
      if (statement.reader) {
        statement.raw(true).safeIntegers(true);
        cols = statement.columns().map((c) => ({ name: c.name, decltype: c.type }));
        rows = statement.all(...args) as unknown[][];
      } else {
        statement.safeIntegers(true).run(...args);
      }
    } catch (error) {
      throw toHranaError(error);
    } finally {
      this.noteWrite(!statement.readonly || query.info.takesWriteLock);
    }
    const [changes, lastRowid] = this.counters.get() as [bigint, bigint];
    return {
      cols,
      rows,
      // program.rs: sqlite3_changes() only for INSERT/UPDATE/DELETE, last_insert_rowid only for INSERT.
      affectedRowCount: query.info.isIud ? Number(changes) : 0,
      lastInsertRowid: query.info.isInsert ? lastRowid : null,
      durationMs: performance.now() - started,
    };
  }

  describe(sql: string): { cols: ProtoCol[]; readonly: boolean } {
    try {
      const statement = this.db.prepare(sql);
      return { cols: statement.reader ? statement.columns().map((c) => ({ name: c.name, decltype: c.type })) : [], readonly: statement.readonly };
    } catch (error) {
      const mapped = toHranaError(error);
      throw mapped instanceof BusyError ? new HranaError(`SQLite error: ${mapped.message}`, "SQLITE_BUSY") : mapped;
    }
  }

  private noteWrite(wrote: boolean): void {
    if (!this.db.inTransaction) this.writeSince = null;
    else if (wrote && this.writeSince === null) this.writeSince = Date.now();
  }

  /** connection_core.rs `force_rollback`: another writer waited past the transaction timeout. */
  forceRollback(): void {
    if (this.db.inTransaction) this.db.exec("ROLLBACK");
    this.writeSince = null;
    this.forcedRollback = true;
  }

  /** True once after a forced rollback: the next program's steps all fail with TRANSACTION_TIMEOUT. */
  takeForcedRollback(): boolean {
    const was = this.forcedRollback;
    this.forcedRollback = false;
    return was;
  }

  /** Closing rolls back an open transaction, as dropping sqld's connection does. Safe to call twice. */
  close(): void {
    this.writeSince = null;
    if (this.db.open) this.db.close();
  }
}
