import path from "node:path";
import { startHranaServer, type HranaServer } from "../../support/hrana-server";
import { int, postPipeline, RawStream, text } from "../../support/hrana/raw-client";
import { makeTempDir } from "../../support/temp-dir";

// The Hrana stand-in on the wire, held to what sqld answers. Where sqld's own
// tests pin an answer (snapshots under tursodatabase/libsql
// libsql-server/tests/), the expectation is copied from there.

let temp: ReturnType<typeof makeTempDir>;
let server: HranaServer;
let file: string;
const stream = () => new RawStream(server.url);

beforeEach(async () => {
  temp = makeTempDir("hrana-protocol");
  file = path.join(temp.dir, "db.sqlite");
  server = await startHranaServer({ file });
});
afterEach(async () => {
  await server.close();
  temp.remove();
});

describe("statement results", () => {
  it("answers a CREATE, INSERT and SELECT as sqld's own snapshot does (tests/hrana/snapshots/..._batch__stats.snap)", async () => {
    const res = await postPipeline(server.url, {
      requests: [
        { type: "execute", stmt: { sql: "CREATE TABLE foo (x INT)" } },
        { type: "execute", stmt: { sql: "INSERT INTO foo VALUES (42)" } },
        { type: "execute", stmt: { sql: "SELECT * FROM foo" } },
      ],
    });
    expect(res.status).toBe(200);
    // rows_read/rows_written and replication_index are not measured by the stand-in.
    const comparable = res.json.results.map((r: { type: string; response: { type: string; result: Record<string, unknown> } }) => {
      const { cols, rows, affected_row_count, last_insert_rowid } = r.response.result;
      return { type: r.type, response: { type: r.response.type, result: { cols, rows, affected_row_count, last_insert_rowid } } };
    });
    expect(comparable).toEqual([
      { type: "ok", response: { type: "execute", result: { cols: [], rows: [], affected_row_count: 0, last_insert_rowid: null } } },
      { type: "ok", response: { type: "execute", result: { cols: [], rows: [], affected_row_count: 1, last_insert_rowid: "1" } } },
      { type: "ok", response: { type: "execute", result: { cols: [{ name: "x", decltype: "INT" }], rows: [[{ type: "integer", value: "42" }]], affected_row_count: 0, last_insert_rowid: null } } },
    ]);
    expect(res.json.base_url).toBeNull();
    expect(Object.keys(res.json.results[0].response.result)).toEqual(["cols", "rows", "affected_row_count", "last_insert_rowid", "replication_index", "rows_read", "rows_written", "query_duration_ms"]);
  });

  it("reports a unique violation as sqld does: SQLite's message and the primary code only (tests/standalone/snapshots/..._basic_query_fail.snap)", async () => {
    const s = stream();
    await s.execute("create table test (x)");
    await s.execute("create unique index test_index on test(x)");
    await s.execute("insert into test values (12)");
    const [result] = await s.send([{ type: "execute", stmt: { sql: "insert into test values (12)" } }]);
    expect(result).toEqual({ type: "error", error: { message: "SQLite error: UNIQUE constraint failed: test.x", code: "SQLITE_CONSTRAINT" } });
  });

  it("round-trips every value type, 64-bit integers as strings and blobs as unpadded base64", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const args = [int(2n ** 63n - 1n), int(-(2n ** 63n)), { type: "float", value: 0.1 }, { type: "float", value: 3 }, text("ünï 😀"), { type: "blob", base64: bytes.toString("base64") }, { type: "null" }];
    const result = await stream().execute("SELECT ?, ?, ?, ?, ?, ?, ?, typeof(?3), typeof(?4), typeof(?6)", args);
    expect(result.rows[0]).toEqual([
      ...args.slice(0, 5),
      { type: "blob", base64: bytes.toString("base64").replace(/=+$/, "") },
      { type: "null" },
      text("real"),
      text("real"),
      text("blob"),
    ]);
    expect(result.cols.map((c: { decltype: unknown }) => c.decltype)).toEqual(Array(10).fill(null));
  });

  it("counts affected rows only for INSERT, UPDATE and DELETE, and gives last_insert_rowid only for INSERT", async () => {
    const s = stream();
    await s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    expect(await s.execute("INSERT INTO t (v) VALUES ('a'), ('b'), ('c') RETURNING id")).toMatchObject({ rows: [[int(1)], [int(2)], [int(3)]], affected_row_count: 3, last_insert_rowid: "3" });
    expect(await s.execute("UPDATE t SET v = 'z' WHERE id < 3")).toMatchObject({ affected_row_count: 2, last_insert_rowid: null });
    expect(await s.execute("SELECT * FROM t")).toMatchObject({ affected_row_count: 0, last_insert_rowid: null });
    expect(await s.execute("DELETE FROM t")).toMatchObject({ affected_row_count: 3, last_insert_rowid: null });
    expect(await s.execute("WITH n(x) AS (VALUES (7)) INSERT INTO t (id, v) SELECT x, 'w' FROM n")).toMatchObject({ affected_row_count: 1, last_insert_rowid: "7" });
  });

  it("binds named arguments with or without their prefix, and ?NNN by position", async () => {
    const named = await stream().send([{ type: "execute", stmt: { sql: "SELECT :a, @b, $c", named_args: [{ name: ":a", value: int(1) }, { name: "b", value: int(2) }, { name: "$c", value: int(3) }] } }]);
    expect(named[0].response.result.rows).toEqual([[int(1), int(2), int(3)]]);
    expect((await stream().execute("SELECT ?2, ?1", [text("one"), text("two")])).rows).toEqual([[text("two"), text("one")]]);
  });
});

describe("stream errors, in sqld's codes", () => {
  it.each([
    ["two statements", { sql: "SELECT 1; SELECT 2" }, "SQL_MANY_STATEMENTS"],
    ["no statement", { sql: "  -- nothing\n" }, "SQL_NO_STATEMENT"],
    ["a syntax error", { sql: "SELEC 1" }, "SQL_PARSE_ERROR"],
    ["VACUUM, which sqld refuses", { sql: "VACUUM" }, "SQL_PARSE_ERROR"],
    ["a temporary table, bound to one connection", { sql: "CREATE TEMP TABLE x (a)" }, "SQL_PARSE_ERROR"],
    ["a PRAGMA sqld allows only as a query", { sql: "PRAGMA journal_mode = DELETE" }, "SQL_PARSE_ERROR"],
    ["a missing argument", { sql: "SELECT ?, ?", args: [int(1)] }, "ARGS_INVALID"],
    ["too many arguments", { sql: "SELECT ?", args: [int(1), int(2)] }, "ARGS_INVALID"],
    ["positional and named arguments", { sql: "SELECT ?, :a", args: [int(1)], named_args: [{ name: "a", value: int(2) }] }, "ARGS_BOTH_POSITIONAL_AND_NAMED"],
    // sqld answers SQL_INPUT_ERROR when SQLite gives the error's offset, which better-sqlite3 does not expose.
    ["an unknown table (a known difference, see hrana-server.ts)", { sql: "SELECT * FROM nowhere" }, "SQLITE_UNKNOWN"],
  ])("answers %s with %s, keeping the stream usable", async (_label, stmt, code) => {
    const s = stream();
    const [result] = await s.send([{ type: "execute", stmt }]);
    expect(result).toMatchObject({ type: "error", error: { code } });
    expect((await s.execute("SELECT 1")).rows).toEqual([[int(1)]]);
  });

  it("accepts the PRAGMAs Prisma's migrations use", async () => {
    const [a, b] = await stream().send([
      { type: "execute", stmt: { sql: "PRAGMA foreign_keys = OFF" } },
      { type: "execute", stmt: { sql: "PRAGMA defer_foreign_keys = ON" } },
    ]);
    expect([a.type, b.type]).toEqual(["ok", "ok"]);
  });
});

describe("batches", () => {
  it("runs steps by their conditions; a skipped step has neither result nor error", async () => {
    const s = stream();
    await s.execute("CREATE TABLE t (x UNIQUE)");
    const [batch] = await s.send([
      {
        type: "batch",
        batch: {
          steps: [
            { stmt: { sql: "INSERT INTO t VALUES (1)" } },
            { stmt: { sql: "INSERT INTO t VALUES (1)" }, condition: { type: "ok", step: 0 } },
            { stmt: { sql: "SELECT 'after error'" }, condition: { type: "error", step: 1 } },
            { stmt: { sql: "SELECT 'skipped'" }, condition: { type: "ok", step: 1 } },
            { stmt: { sql: "SELECT 'and/or/not'" }, condition: { type: "and", conds: [{ type: "ok", step: 0 }, { type: "or", conds: [{ type: "not", cond: { type: "ok", step: 3 } }] }] } },
          ],
        },
      },
    ]);
    const { step_results, step_errors } = batch.response.result;
    expect(step_results.map((r: { rows?: unknown } | null) => r?.rows ?? null)).toEqual([[], null, [[text("after error")]], null, [[text("and/or/not")]]]);
    expect(step_errors.map((e: { code: string } | null) => e?.code ?? null)).toEqual([null, "SQLITE_CONSTRAINT", null, null, null]);
  });

  it("refuses a condition on a later step, and is_autocommit before Hrana 3, as protocol errors (400, stream dropped)", async () => {
    const forward = await postPipeline(server.url, { requests: [{ type: "batch", batch: { steps: [{ stmt: { sql: "SELECT 1" }, condition: { type: "ok", step: 0 } }] } }] });
    expect([forward.status, forward.text]).toEqual([400, "Invalid reference to step in a batch condition"]);
    const v2 = await postPipeline(server.url, { requests: [{ type: "batch", batch: { steps: [{ stmt: { sql: "SELECT 1" }, condition: { type: "is_autocommit" } }] } }] });
    expect(v2.status).toBe(400);
    const v3 = await postPipeline(server.url, { requests: [{ type: "batch", batch: { steps: [{ stmt: { sql: "SELECT 1" }, condition: { type: "is_autocommit" } }] } }] }, { version: 3 });
    expect(v3.json.results[0].response.result.step_results[0].rows).toEqual([[int(1)]]);
    expect(server.openStreams()).toBe(1); // the v3 one; the refused ones were dropped
  });
});

describe("sequences, stored SQL, describe, autocommit", () => {
  it("runs a sequence until its first failing statement, and runs none of one with a syntax error", async () => {
    const s = stream();
    const [failed] = await s.send([{ type: "sequence", sql: "CREATE TABLE a (x); INSERT INTO nowhere VALUES (1); CREATE TABLE b (x);" }]);
    expect(failed).toMatchObject({ type: "error", error: { code: "SQLITE_UNKNOWN", message: "SQLite error: no such table: nowhere" } });
    const [parse] = await s.send([{ type: "sequence", sql: "CREATE TABLE c (x); THIS IS NOT SQL;" }]);
    expect(parse).toMatchObject({ type: "error", error: { code: "SQL_PARSE_ERROR" } });
    const tables = (await s.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows;
    expect(tables).toEqual([[text("a")]]);
  });

  it("keeps a trigger's body, semicolons and all, as one statement of a sequence", async () => {
    const s = stream();
    await s.send([{ type: "sequence", sql: "CREATE TABLE t (x); CREATE TABLE log (x); CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.x); INSERT INTO log VALUES (-new.x); END; INSERT INTO t VALUES (5);" }]);
    expect((await s.execute("SELECT x FROM log ORDER BY x")).rows).toEqual([[int(-5)], [int(5)]]);
  });

  it("executes stored SQL by id, within the 50-text and 5,000-byte limits", async () => {
    const s = stream();
    const [stored, used, closed] = await s.send([{ type: "store_sql", sql_id: 1, sql: "SELECT 'stored'" }, { type: "execute", stmt: { sql_id: 1 } }, { type: "close_sql", sql_id: 1 }]);
    expect([stored.type, used.response.result.rows, closed.type]).toEqual(["ok", [[text("stored")]], "ok"]);
    const tooLarge = await s.send([{ type: "store_sql", sql_id: 2, sql: `SELECT '${"x".repeat(5000)}'` }]);
    expect(tooLarge[0]).toMatchObject({ type: "error", error: { code: "SQL_STORE_TOO_LARGE" } });
    const many = await s.send(Array.from({ length: 51 }, (_, i) => ({ type: "store_sql", sql_id: 10 + i, sql: "SELECT 1" })));
    expect(many.slice(49).map((r) => r.error?.code ?? r.type)).toEqual(["ok", "SQL_STORE_TOO_MANY"]);
    const unknown = await s.post([{ type: "execute", stmt: { sql_id: 999 } }]);
    expect([unknown.status, unknown.text]).toEqual([400, "SQL text 999 not found"]);
  });

  it("describes a statement's parameters and columns", async () => {
    const s = stream();
    await s.execute("CREATE TABLE t (id INTEGER, name TEXT)");
    const [described] = await s.send([{ type: "describe", sql: "SELECT id, name, 1 AS one FROM t WHERE id = ? AND name = :name" }]);
    expect(described.response.result).toEqual({
      params: [{ name: null }, { name: ":name" }],
      cols: [{ name: "id", decltype: "INTEGER" }, { name: "name", decltype: "TEXT" }, { name: "one", decltype: null }],
      is_explain: false,
      is_readonly: true,
    });
  });

  it("answers get_autocommit on Hrana 3 only", async () => {
    expect((await postPipeline(server.url, { requests: [{ type: "get_autocommit" }] })).status).toBe(400);
    const s = new RawStream(server.url, { version: 3 });
    const [before] = await s.send([{ type: "execute", stmt: { sql: "BEGIN" } }, { type: "get_autocommit" }]).then((r) => r.slice(1));
    const [after] = await s.send([{ type: "execute", stmt: { sql: "COMMIT" } }, { type: "get_autocommit" }]).then((r) => r.slice(1));
    expect([before.response.is_autocommit, after.response.is_autocommit]).toEqual([false, true]);
  });
});

describe("streams and batons", () => {
  it("keeps an interactive transaction on its stream's connection across requests; other streams see it only once committed", async () => {
    await stream().execute("CREATE TABLE t (x)");
    const writer = stream();
    await writer.execute("BEGIN");
    await writer.execute("INSERT INTO t VALUES (1)");
    expect((await writer.execute("SELECT count(*) FROM t")).rows).toEqual([[int(1)]]);
    expect((await stream().execute("SELECT count(*) FROM t")).rows).toEqual([[int(0)]]);
    await writer.execute("COMMIT");
    expect((await stream().execute("SELECT count(*) FROM t")).rows).toEqual([[int(1)]]);
  });

  it("refuses a reused, a forged and a foreign baton (400 text/plain, as sqld)", async () => {
    const s = stream();
    await s.execute("SELECT 1");
    const spent = s.baton!;
    await s.execute("SELECT 2");
    const reused = await postPipeline(server.url, { baton: spent, requests: [] });
    expect([reused.status, reused.contentType, reused.text]).toEqual([400, "text/plain", "Received a baton that has already been used"]);

    // The current baton with one bit of its MAC flipped: right stream, right sequence number, wrong signature.
    const bytes = Buffer.from(s.baton!, "base64");
    bytes[40]! ^= 1;
    const forged = await postPipeline(server.url, { baton: bytes.toString("base64").replace(/=+$/, ""), requests: [] });
    expect([forged.status, forged.text]).toEqual([400, "Received an invalid baton"]);

    const other = await startHranaServer({ file: path.join(temp.dir, "other.sqlite") });
    const foreign = new RawStream(other.url);
    await foreign.execute("SELECT 1");
    const crossed = await postPipeline(server.url, { baton: foreign.baton, requests: [] });
    await other.close();
    expect([crossed.status, crossed.text]).toEqual([400, "Received an invalid baton"]);
  });

  it("closes a stream on request: no baton comes back, and its connection is gone", async () => {
    const s = stream();
    await s.execute("SELECT 1");
    expect(server.openStreams()).toBe(1);
    const res = await s.post([{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }]);
    expect(res.json.baton).toBeNull();
    expect(server.openStreams()).toBe(0);
    const closedMidPipeline = await postPipeline(server.url, { requests: [{ type: "close" }, { type: "execute", stmt: { sql: "SELECT 1" } }] });
    expect([closedMidPipeline.status, closedMidPipeline.text]).toEqual([400, "Stream for this baton was closed"]);
  });
});
