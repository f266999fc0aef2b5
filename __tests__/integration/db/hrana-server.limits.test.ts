import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { createClient } from "@libsql/client";
import Database from "better-sqlite3";
import { startHranaServer, type HranaServer, type HranaServerOptions } from "../../support/hrana-server";
import { executeOnce, int, postPipeline, RawStream, until } from "../../support/hrana/raw-client";
import { makeTempDir } from "../../support/temp-dir";

// The Hrana stand-in's bounds and its behaviour under concurrency: auth,
// caps, idle expiry, SQLite's single write lock. And the real client,
// @libsql/client 0.18, talking to it.

let temp: ReturnType<typeof makeTempDir>;
const servers: HranaServer[] = [];
let file: string;

async function serve(options: Partial<HranaServerOptions> = {}): Promise<HranaServer> {
  const server = await startHranaServer({ file, ...options });
  servers.push(server);
  return server;
}

/** Reads the file directly, not through the server under test. */
function readFile<T>(read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  temp = makeTempDir("hrana-limits");
  file = path.join(temp.dir, "db.sqlite");
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  temp.remove();
});

describe("authentication", () => {
  it("answers pipelines without the right bearer token with 401 in sqld's words, and serves the version probes to anyone", async () => {
    const server = await serve({ authToken: "s3cret" });
    const body = { requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }] };
    const cases: [Record<string, string>, string][] = [
      [{}, "Expected authorization header but none given"],
      [{ authorization: "Bearer wrong" }, "The JWT is invalid"],
      [{ authorization: "Basic czNjcmV0" }, "The authentication scheme in the `Authorization` HTTP header is not supported"],
      [{ authorization: "s3cret" }, "Auth string does not conform to '<scheme> <token>' form"],
    ];
    for (const [headers, problem] of cases) {
      const res = await postPipeline(server.url, body, { headers });
      expect({ status: res.status, json: res.json }).toEqual({ status: 401, json: { error: `Unauthorized: \`${problem}\`` } });
    }
    expect((await postPipeline(server.url, body, { token: "s3cret" })).status).toBe(200);
    expect(server.openStreams()).toBe(1); // only the authorised request opened a stream
    for (const probe of ["/v2", "/v3", "/health"]) expect((await fetch(server.url + probe)).status).toBe(200);
  });

  it("passes DATABASE_AUTH_TOKEN the way @libsql/client sends it, and refuses the client without it", async () => {
    const server = await serve({ authToken: "client-token" });
    const good = createClient({ url: server.url, authToken: "client-token" });
    expect((await good.execute("SELECT 41 + 1 AS answer")).rows[0]).toMatchObject({ answer: 42 });
    const bad = createClient({ url: server.url });
    await expect(bad.execute("SELECT 1")).rejects.toMatchObject({ code: "SERVER_ERROR", message: expect.stringContaining("401") });
    good.close();
    bad.close();
  });
});

describe("routes and bounds", () => {
  it("answers unknown paths 404 (Protobuf and cursors included, so clients fall back to JSON) and wrong methods 405", async () => {
    const server = await serve();
    for (const p of ["/v3-protobuf", "/v3-protobuf/pipeline", "/v3/cursor", "/v1/execute", "/nope"]) expect([p, (await fetch(server.url + p, { method: p === "/v3-protobuf" ? "GET" : "POST" })).status]).toEqual([p, 404]);
    expect((await fetch(`${server.url}/v2/pipeline`)).status).toBe(405);
  });

  it("refuses a body over the cap (413), malformed JSON and unknown request types (400), opening no stream", async () => {
    const server = await serve({ maxBodyBytes: 1024 });
    const big = await postPipeline(server.url, { requests: [{ type: "execute", stmt: { sql: `SELECT '${"x".repeat(2000)}'` } }] });
    expect(big.status).toBe(413);
    const malformed = await postPipeline(server.url, '{"requests": [');
    expect([malformed.status, malformed.contentType]).toEqual([400, "text/plain"]);
    const unknown = await postPipeline(server.url, { requests: [{ type: "drop_database" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/^Cannot deserialize client message from JSON: /);
    expect(server.openStreams()).toBe(0);
  });

  it("refuses a stream beyond the open-stream cap with 429, and accepts one again once a stream closes", async () => {
    const server = await serve({ maxStreams: 2 });
    const open = [new RawStream(server.url), new RawStream(server.url)];
    for (const s of open) await s.execute("SELECT 1");
    const third = await postPipeline(server.url, { requests: [] });
    expect({ status: third.status, json: third.json }).toEqual({ status: 429, json: { error: "Timed out while opening database connection" } });
    await open[0]!.close();
    expect((await postPipeline(server.url, { requests: [] })).status).toBe(200);
  });
});

describe("idle streams", () => {
  it("expires an idle stream, rolling back its transaction; its baton then answers STREAM_EXPIRED (sqld's snapshot)", async () => {
    const server = await serve({ streamIdleMs: 200 });
    await executeOnce(server.url, "CREATE TABLE t (x)");
    const idle = new RawStream(server.url);
    await idle.execute("BEGIN");
    await idle.execute("INSERT INTO t VALUES (1)");
    expect(server.openStreams()).toBe(1);
    await until(() => server.openStreams() === 0, "the idle stream expired");
    const late = await idle.post([{ type: "execute", stmt: { sql: "COMMIT" } }]);
    // libsql-server/tests/hrana/snapshots/tests__hrana__batch__server_timeout.snap
    expect({ status: late.status, json: late.json }).toEqual({ status: 400, json: { message: "The stream has expired due to inactivity", code: "STREAM_EXPIRED" } });
    expect(readFile((db) => db.prepare("SELECT count(*) AS n FROM t").get())).toEqual({ n: 0 });
    // The write lock went with it: another stream writes at once.
    expect((await new RawStream(server.url).execute("INSERT INTO t VALUES (2)")).affected_row_count).toBe(1);
  });
});

describe("SQLite's write lock", () => {
  it("makes a second writer wait for the first transaction without blocking the server, then run", async () => {
    const server = await serve();
    await executeOnce(server.url, "CREATE TABLE t (x)");
    const first = new RawStream(server.url);
    await first.execute("BEGIN IMMEDIATE");
    let secondDone = false;
    const second = new RawStream(server.url).execute("INSERT INTO t VALUES ('second')").then((r) => ((secondDone = true), r));
    // The first transaction carries on while the second waits: the server is not blocked.
    await first.execute("INSERT INTO t VALUES ('first')");
    expect(secondDone).toBe(false);
    await first.execute("COMMIT");
    expect((await second).affected_row_count).toBe(1);
    expect(readFile((db) => db.prepare("SELECT x FROM t ORDER BY rowid").all())).toEqual([{ x: "first" }, { x: "second" }]);
  });

  it("rolls back a transaction that kept a waiting writer out past the transaction timeout; its next request gets TRANSACTION_TIMEOUT", async () => {
    const server = await serve({ txnTimeoutMs: 300 });
    await executeOnce(server.url, "CREATE TABLE t (x)");
    const hog = new RawStream(server.url);
    await hog.execute("BEGIN");
    await hog.execute("INSERT INTO t VALUES ('hog')");
    expect((await new RawStream(server.url).execute("INSERT INTO t VALUES ('waiter')")).affected_row_count).toBe(1);
    const [next] = await hog.send([{ type: "execute", stmt: { sql: "COMMIT" } }]);
    expect(next).toEqual({ type: "error", error: { message: "Transaction timed out", code: "TRANSACTION_TIMEOUT" } });
    expect(readFile((db) => db.prepare("SELECT x FROM t").all())).toEqual([{ x: "waiter" }]);
    const [afterwards] = await hog.send([{ type: "execute", stmt: { sql: "SELECT count(*) FROM t" } }]);
    expect(afterwards.response.result.rows).toEqual([[int(1)]]); // one timeout answer, then the stream works again
  });
});

describe("@libsql/client 0.18 against the stand-in", () => {
  it("executes, batches, runs interactive transactions and scripts, with the types it expects", async () => {
    const server = await serve({ authToken: "t" });
    const client = createClient({ url: server.url, authToken: "t", intMode: "bigint" });
    await client.executeMultiple("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB); CREATE INDEX t_score ON t (score);");
    const inserted = await client.execute({ sql: "INSERT INTO t (name, score, data) VALUES (?, ?, ?) RETURNING *", args: ["a", 1.5, new Uint8Array([0, 255])] });
    expect(inserted.columnTypes).toEqual(["INTEGER", "TEXT", "REAL", "BLOB"]);
    expect(inserted.rows[0]).toMatchObject({ id: 1n, name: "a", score: 1.5 });
    expect(new Uint8Array(inserted.rows[0]!.data as ArrayBuffer)).toEqual(new Uint8Array([0, 255]));
    expect([inserted.rowsAffected, inserted.lastInsertRowid]).toEqual([1, 1n]);
    expect((await client.execute({ sql: "SELECT ?", args: [2n ** 62n] })).rows[0]![0]).toBe(2n ** 62n);

    const results = await client.batch([{ sql: "INSERT INTO t (name) VALUES (?)", args: ["b"] }, "SELECT count(*) AS n FROM t"], "write");
    expect(results[1]!.rows[0]).toMatchObject({ n: 2n });

    const tx = await client.transaction("write");
    await tx.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["c"] });
    expect((await client.execute("SELECT count(*) AS n FROM t")).rows[0]).toMatchObject({ n: 2n }); // not yet visible outside
    await tx.rollback();
    expect((await client.execute("SELECT count(*) AS n FROM t")).rows[0]).toMatchObject({ n: 2n });
    client.close();
    await until(() => server.openStreams() === 0, "the client's streams were closed");
  });

  it("reports a constraint violation without an extended code: the gap lib/db/libsql-constraint-codes.ts fills", async () => {
    const server = await serve();
    const client = createClient({ url: server.url });
    await client.execute("CREATE TABLE t (name TEXT UNIQUE)");
    await client.execute("INSERT INTO t VALUES ('x')");
    const error = await client.execute("INSERT INTO t VALUES ('x')").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SQLITE_CONSTRAINT", rawCode: undefined, extendedCode: undefined, message: "SQLITE_CONSTRAINT: SQLite error: UNIQUE constraint failed: t.name" });
    client.close();
  });
});

describe("as a process of its own (hrana/main.ts)", () => {
  it("prints its URL once listening, serves the file with the token, and exits on SIGTERM", async () => {
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "../../support/hrana/main.ts"), "--file", file, "--token", "proc-token"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = createClient({ url, authToken: "proc-token" });
      await client.execute("CREATE TABLE p (x)");
      await client.execute("INSERT INTO p VALUES (1)");
      client.close();
      expect(readFile((db) => db.prepare("SELECT x FROM p").all())).toEqual([{ x: 1 }]);
      child.kill("SIGTERM");
      expect(await once(child, "exit")).toEqual([0, null]);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 30_000);
});
