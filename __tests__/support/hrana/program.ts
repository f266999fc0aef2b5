// Statements, batches and sequences as sqld turns them into a program and runs
// it: libsql-server/src/hrana/stmt.rs (proto_stmt_to_query, proto_sql_to_sql),
// hrana/batch.rs (conditions, sequences), connection/program.rs (the Vm) and
// connection/connection_core.rs (forced rollback turns every step into
// TRANSACTION_TIMEOUT).
import Database from "better-sqlite3";
import { isSqliteFailure, type Connection, type Query, type QueryOutcome } from "./connection";
import type { WriteGate } from "./lock";
import { HranaError, ProtocolError, valueFromProto, valueToProto, type BatchCond, type BatchResult, type ProtoBatch, type ProtoError, type ProtoStmt, type SqlValue, type StmtResult, type Version } from "./proto";
import { describeStatement, splitStatements, type Token } from "./sql-text";

const parseError = (detail: string) => new HranaError(`SQL string could not be parsed: ${detail}`, "SQL_PARSE_ERROR");
const txnTimeout = () => new HranaError("Transaction timed out", "TRANSACTION_TIMEOUT");

// sqld parses SQL with its own parser before SQLite sees it, so a syntax error
// is SQL_PARSE_ERROR and stops a batch or sequence before any step runs.
// Preparing on an empty in-memory database finds the same syntax errors
// (SQLite reports them before it resolves any name) without touching the file.
const scratch = new Database(":memory:");
const SYNTAX = /syntax error|incomplete input|unrecognized token|unterminated/;

function parseStatement(sql: string, tokens: Token[]) {
  try {
    scratch.prepare(sql);
  } catch (error) {
    if (isSqliteFailure(error) && SYNTAX.test(error.message)) throw parseError(error.message);
  }
  const info = describeStatement(tokens);
  // query_analysis.rs: a statement with no StmtKind is refused.
  if (info.kind === null) throw parseError(`unsupported statement: ${sql}`);
  return info;
}

/** stmt.rs `proto_sql_to_sql`. */
export function sqlText(sql: string | undefined, sqlId: number | undefined, stored: Map<number, string>): string {
  if (sql !== undefined && sqlId !== undefined) throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
  if (sql !== undefined) return sql;
  if (sqlId === undefined) throw new ProtocolError("Either `sql` or `sql_id` are required");
  const found = stored.get(sqlId);
  if (found === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`);
  return found;
}

/** stmt.rs `proto_stmt_to_query`: exactly one statement, positional or named arguments, not both. */
export function toQuery(stmt: ProtoStmt, stored: Map<number, string>): Query {
  const sql = sqlText(stmt.sql, stmt.sql_id, stored);
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new HranaError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  const info = parseStatement(statements[0]!.sql, statements[0]!.tokens);
  if (statements.length > 1) throw new HranaError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  if (stmt.named_args.length > 0 && stmt.args.length > 0) throw new HranaError("Specifying both positional and named arguments is not supported", "ARGS_BOTH_POSITIONAL_AND_NAMED");
  const params =
    stmt.named_args.length > 0
      ? { named: new Map<string, SqlValue>(stmt.named_args.map((a) => [a.name, valueFromProto(a.value)])) }
      : { positional: stmt.args.map(valueFromProto) };
  return { sql, info, params };
}

function toStmtResult(outcome: QueryOutcome): StmtResult {
  return {
    cols: outcome.cols,
    rows: outcome.rows.map((row) => row.map(valueToProto)),
    affected_row_count: outcome.affectedRowCount,
    last_insert_rowid: outcome.lastInsertRowid === null ? null : outcome.lastInsertRowid.toString(),
    // No replication here, and better-sqlite3 does not expose SQLite's per-statement row counters.
    replication_index: null,
    rows_read: 0,
    rows_written: 0,
    query_duration_ms: outcome.durationMs,
  };
}

interface Step {
  query: Query;
  cond?: BatchCond;
}
type StepOutcome = { ok: StmtResult } | { error: ProtoError } | "skipped";

/** program.rs `eval_cond`. */
function evalCond(cond: BatchCond, executed: boolean[], isAutocommit: boolean): boolean {
  switch (cond.type) {
    case "ok": return executed[cond.step]!;
    case "error": return !executed[cond.step]!;
    case "not": return !evalCond(cond.cond, executed, isAutocommit);
    case "and": return cond.conds.every((c) => evalCond(c, executed, isAutocommit));
    case "or": return cond.conds.some((c) => evalCond(c, executed, isAutocommit));
    case "is_autocommit": return isAutocommit;
  }
}

/** program.rs `Vm`: a step runs when its condition holds; `executed` records which ran without error. */
async function runProgram(connection: Connection, gate: WriteGate, steps: Step[]): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  const executed: boolean[] = [];
  let timedOut = false;
  for (const step of steps) {
    timedOut ||= connection.takeForcedRollback();
    if (timedOut) {
      outcomes.push({ error: txnTimeout().toProto() });
      executed.push(false);
      continue;
    }
    if (step.cond && !evalCond(step.cond, executed, connection.isAutocommit)) {
      outcomes.push("skipped");
      executed.push(false);
      continue;
    }
    try {
      outcomes.push({ ok: toStmtResult(await gate.run(connection, () => connection.run(step.query))) });
      executed.push(true);
    } catch (error) {
      if (!(error instanceof HranaError)) throw error;
      outcomes.push({ error: error.toProto() });
      executed.push(false);
    }
  }
  return outcomes;
}

export async function executeStmt(connection: Connection, gate: WriteGate, stmt: ProtoStmt, stored: Map<number, string>): Promise<StmtResult> {
  const [outcome] = await runProgram(connection, gate, [{ query: toQuery(stmt, stored) }]);
  if (outcome === "skipped" || outcome === undefined) throw new Error("unreachable: a step without a condition always runs");
  if ("error" in outcome) throw new HranaError(outcome.error.message, outcome.error.code);
  return outcome.ok;
}

/** batch.rs `proto_cond_to_cond`: a condition may only look back, and is_autocommit needs Hrana 3. */
function checkCond(cond: BatchCond, stepIndex: number, version: Version): void {
  if (cond.type === "ok" || cond.type === "error") {
    if (cond.step >= stepIndex) throw new ProtocolError("Invalid reference to step in a batch condition");
  } else if (cond.type === "not") checkCond(cond.cond, stepIndex, version);
  else if (cond.type === "and" || cond.type === "or") cond.conds.forEach((c) => checkCond(c, stepIndex, version));
  else if (version < 3) throw new ProtocolError("BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher");
}

export async function executeBatch(connection: Connection, gate: WriteGate, batch: ProtoBatch, stored: Map<number, string>, version: Version): Promise<BatchResult> {
  const steps = batch.steps.map((step, i) => {
    const query = toQuery(step.stmt, stored);
    if (step.condition) checkCond(step.condition, i, version);
    return { query, cond: step.condition };
  });
  const outcomes = await runProgram(connection, gate, steps);
  return {
    step_results: outcomes.map((o) => (o !== "skipped" && "ok" in o ? o.ok : null)),
    step_errors: outcomes.map((o) => (o !== "skipped" && "error" in o ? o.error : null)),
    replication_index: null,
  };
}

/** batch.rs `proto_sequence_to_program` / `execute_sequence`: each statement runs if the one before succeeded. */
export async function executeSequence(connection: Connection, gate: WriteGate, sql: string): Promise<void> {
  const steps: Step[] = splitStatements(sql).map((statement, i) => ({
    query: { sql: statement.sql, info: parseStatement(statement.sql, statement.tokens), params: { positional: [] } },
    cond: i === 0 ? undefined : { type: "ok", step: i - 1 },
  }));
  for (const outcome of await runProgram(connection, gate, steps)) {
    if (outcome !== "skipped" && "error" in outcome) throw new HranaError(outcome.error.message, outcome.error.code);
  }
}
