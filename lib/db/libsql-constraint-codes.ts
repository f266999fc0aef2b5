import type { Client, InArgs, InStatement, ResultSet, Transaction, TransactionMode } from "@libsql/client";

// Over HTTP, @libsql/client cannot say which constraint failed. A libSQL
// server (sqld, Turso) sends only the primary result code name,
// "SQLITE_CONSTRAINT" (libsql-server/src/hrana/stmt.rs `sqlite_error_code`),
// and the client leaves `rawCode` undefined (@libsql/client hrana.js
// `mapHranaError`: "TODO: Parse extendedCode once the SQL over HTTP protocol
// supports it"). @prisma/adapter-libsql's `convertDriverError` reads only
// `rawCode` to recognise constraint violations, falls back to 1, and Prisma
// raises P2039 instead of P2002/P2003/P2011: every "already taken" answer in
// the app became a 500 on a hosted database. SQLite's message still names the
// constraint, in wording stable since SQLite 3.8.2 ("UNIQUE constraint
// failed: t.c"), so the extended code is restored from it and the adapter
// maps the error as it does for a local file.

/** SQLite's extended result codes (sqlite3.h) for the constraint kinds the adapter tells apart. */
const CONSTRAINTS: { message: RegExp; rawCode: number; extendedCode: string }[] = [
  // A PRIMARY KEY violation reads "UNIQUE constraint failed" too; the adapter treats 1555 and 2067 alike.
  { message: /\bUNIQUE constraint failed: /, rawCode: 2067, extendedCode: "SQLITE_CONSTRAINT_UNIQUE" },
  { message: /\bNOT NULL constraint failed: /, rawCode: 1299, extendedCode: "SQLITE_CONSTRAINT_NOTNULL" },
  { message: /\bFOREIGN KEY constraint failed\b/, rawCode: 787, extendedCode: "SQLITE_CONSTRAINT_FOREIGNKEY" },
  { message: /\bCHECK constraint failed\b/, rawCode: 275, extendedCode: "SQLITE_CONSTRAINT_CHECK" },
];

interface DriverError {
  code: string;
  message: string;
  rawCode?: number;
  extendedCode?: string;
}

// Recognised by shape, as the adapter's own `isDriverError` does: the
// LibsqlError class differs between @libsql/client's CommonJS and ESM builds.
const isUncodedConstraintError = (error: unknown): error is DriverError =>
  typeof error === "object" &&
  error !== null &&
  (error as Partial<DriverError>).code === "SQLITE_CONSTRAINT" &&
  typeof (error as Partial<DriverError>).message === "string" &&
  (error as Partial<DriverError>).rawCode === undefined;

/** Gives a constraint error without an extended code the one its message names; any other error is returned as is. */
export function restoreConstraintCode(error: unknown): unknown {
  if (!isUncodedConstraintError(error)) return error;
  const known = CONSTRAINTS.find((c) => c.message.test(error.message));
  if (known) {
    // Set on the error itself: its class, message, cause and statement index stay as the client made them.
    error.rawCode = known.rawCode;
    error.extendedCode = known.extendedCode;
  }
  return error;
}

async function coded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw restoreConstraintCode(error);
  }
}

class CodedTransaction implements Transaction {
  constructor(private readonly inner: Transaction) {}
  execute(stmt: InStatement) {
    return coded(() => this.inner.execute(stmt));
  }
  batch(stmts: InStatement[]) {
    return coded(() => this.inner.batch(stmts));
  }
  executeMultiple(sql: string) {
    return coded(() => this.inner.executeMultiple(sql));
  }
  rollback() {
    return coded(() => this.inner.rollback());
  }
  commit() {
    return coded(() => this.inner.commit());
  }
  close() {
    this.inner.close();
  }
  get closed() {
    return this.inner.closed;
  }
}

class CodedClient implements Client {
  constructor(private readonly inner: Client) {}
  execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return coded(() => (typeof stmtOrSql === "string" ? this.inner.execute(stmtOrSql, args) : this.inner.execute(stmtOrSql)));
  }
  batch(stmts: (InStatement | [string, InArgs?])[], mode?: TransactionMode) {
    return coded(() => this.inner.batch(stmts, mode));
  }
  migrate(stmts: InStatement[]) {
    return coded(() => this.inner.migrate(stmts));
  }
  async transaction(mode?: TransactionMode): Promise<Transaction> {
    return new CodedTransaction(await coded(() => this.inner.transaction(mode)));
  }
  executeMultiple(sql: string) {
    return coded(() => this.inner.executeMultiple(sql));
  }
  sync() {
    return this.inner.sync();
  }
  close() {
    this.inner.close();
  }
  reconnect() {
    this.inner.reconnect();
  }
  get closed() {
    return this.inner.closed;
  }
  get protocol() {
    return this.inner.protocol;
  }
}

/** The client, reporting constraint violations with SQLite's extended code whatever its transport. */
export function withConstraintCodes(client: Client): Client {
  return new CodedClient(client);
}
