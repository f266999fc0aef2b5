/**
 * A stand-in for a libSQL server (sqld, as Turso runs it) speaking Hrana over
 * HTTP, serving one SQLite file through better-sqlite3. The hosted deployment
 * reaches its database this way (`@libsql/client` 0.18 over http/https, through
 * `@prisma/adapter-libsql`); no libSQL server can be installed here, so tests
 * run against this one instead.
 *
 * It follows sqld's source (tursodatabase/libsql, libsql-server/src/), cited in
 * each module under ./hrana/, rather than the spec alone:
 * - routes: GET /v2 and /v3 (version probes), POST /v2/pipeline and
 *   /v3/pipeline (JSON), GET /health; anything else 404, a wrong method 405.
 *   @libsql/client 0.18 never probes: it opens the client with Hrana 2
 *   (hrana-client `openHttp(..., protocolVersion = 2)`) and posts to v2/pipeline.
 * - stream requests: execute, batch (conditions ok/error/not/and/or, and
 *   is_autocommit on v3), sequence, describe, store_sql/close_sql (50 texts of
 *   at most 5,000 bytes), close, get_autocommit (v3 only).
 * - streams: one SQLite connection per stream, so an interactive transaction
 *   spanning several HTTP requests stays on its connection; batons are
 *   HMAC-SHA256-signed, single-use and unforgeable; an idle stream expires after
 *   10 s (its transaction rolled back) and its baton then answers 400
 *   STREAM_EXPIRED; a forged, unknown or reused baton answers 400 text/plain.
 * - values: integers as decimal strings (64-bit), floats, text, blobs as
 *   unpadded base64, null; `affected_row_count` only for INSERT/UPDATE/DELETE,
 *   `last_insert_rowid` only for INSERT, columns with their declared types.
 * - errors as sqld sends them: `{message: "SQLite error: <SQLite's message>",
 *   code: "<primary code>"}` (SQLITE_CONSTRAINT, never the extended
 *   SQLITE_CONSTRAINT_UNIQUE), SQL_PARSE_ERROR / SQL_MANY_STATEMENTS /
 *   ARGS_INVALID ..., statements sqld refuses (temporary tables, VACUUM,
 *   most PRAGMAs with a value) refused alike.
 * - writers: SQLite's one write lock is waited for without blocking; a
 *   transaction holding it 5 s while another writer waits is rolled back and
 *   its next request fails with TRANSACTION_TIMEOUT, as in sqld.
 * - bounds: optional bearer token (any other Authorization answers 401 as
 *   sqld's does), request body cap (413), open-stream cap (429).
 *
 * Not implemented: Hrana over WebSocket, /v3/cursor and the Protobuf encoding
 * (/v3-protobuf answers 404, so a client probing for it falls back to JSON),
 * Hrana 1 (/v1), sqld's legacy `POST /` API, namespaces, ATTACH, replication
 * (`replication_index` is null), per-statement `rows_read`/`rows_written` (0),
 * JWT verification (the token is compared as an opaque string), and SQLite's
 * error offset (better-sqlite3 does not expose it, so errors sqld reports as
 * SQL_INPUT_ERROR come back as "SQLite error" with code SQLITE_UNKNOWN).
 * Messages that sqld takes from its own SQL parser or from serde differ in
 * wording; the codes do not.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { Connection } from "./hrana/connection";
import { WriteGate } from "./hrana/lock";
import { handlePipeline } from "./hrana/pipeline";
import { ProtocolError, type Version } from "./hrana/proto";
import { StreamExpiredError, StreamTable, TooManyStreamsError } from "./hrana/streams";

export interface HranaServerOptions {
  /** The SQLite file to serve; created if missing. */
  file: string;
  /** When set, pipeline requests need `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** Default 4 MiB. sqld reads any size; a stand-in should not. */
  maxBodyBytes?: number;
  /** Default 10 s, sqld's EXPIRATION. */
  streamIdleMs?: number;
  /** Default 300 s, sqld's CLEANUP. */
  expiredMemoryMs?: number;
  /** Default 128. */
  maxStreams?: number;
  /** Default 5 s, sqld's TXN_TIMEOUT. */
  txnTimeoutMs?: number;
}

export interface HranaServer {
  /** http://127.0.0.1:PORT, for DATABASE_URL. */
  url: string;
  /** Streams currently open (not closed, not expired). */
  openStreams(): number;
  /** Pipeline requests answered so far, whatever their outcome. */
  pipelinesServed(): number;
  close(): Promise<void>;
}

const PIPELINES: Record<string, Version> = { "/v2/pipeline": 2, "/v3/pipeline": 3 };
const PROBES = new Set(["/v2", "/v3"]);

function send(res: ServerResponse, status: number, body: string, contentType?: string): void {
  res.writeHead(status, contentType ? { "content-type": contentType } : {});
  res.end(body);
}

/** sqld's `ResponseError::format_err`: `{"error": "<Display of the error>"}`. */
const sendSqldError = (res: ServerResponse, status: number, message: string) => send(res, status, JSON.stringify({ error: message }), "application/json");

/** auth/user_auth_strategies/jwt.rs: the checks in sqld's order, with its messages (auth/errors.rs). */
function authError(header: string | undefined, expected: string): string | null {
  if (header === undefined) return "Expected authorization header but none given";
  const space = header.indexOf(" ");
  if (space < 0) return "Auth string does not conform to '<scheme> <token>' form";
  if (header.slice(0, space).toLowerCase() !== "bearer") return "The authentication scheme in the `Authorization` HTTP header is not supported";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(header.slice(space + 1)), digest(expected)) ? null : "The JWT is invalid";
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve("too_large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        resolve("too_large");
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startHranaServer(options: HranaServerOptions): Promise<HranaServer> {
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    idleMs: options.streamIdleMs ?? 10_000,
    expiredMemoryMs: options.expiredMemoryMs ?? 300_000,
    maxStreams: options.maxStreams ?? 128,
  };
  // sqld runs its databases in WAL mode (libsql-sys/src/connection.rs), so readers never wait for the writer.
  const setup = new Database(options.file);
  setup.pragma("journal_mode = WAL");
  setup.close();

  const gate = new WriteGate(() => streams.connections(), options.txnTimeoutMs ?? 5_000);
  const streams = new StreamTable(() => new Connection(options.file), limits, () => gate.released());

  let pipelines = 0;
  async function pipeline(req: IncomingMessage, res: ServerResponse, version: Version): Promise<void> {
    pipelines++;
    if (options.authToken !== undefined) {
      const problem = authError(req.headers.authorization, options.authToken);
      if (problem) return sendSqldError(res, 401, `Unauthorized: \`${problem}\``);
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (body === "too_large") {
      res.setHeader("connection", "close");
      return send(res, 413, `Request body is larger than ${limits.maxBodyBytes} bytes`, "text/plain");
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return send(res, 400, `Cannot deserialize client message from JSON: ${(error as Error).message}`, "text/plain");
    }
    try {
      send(res, 200, JSON.stringify(await handlePipeline({ streams, gate }, json, version)), "application/json");
    } catch (error) {
      // hrana/http/mod.rs `handle_request`: stream errors as JSON, protocol errors as text, both 400.
      if (error instanceof StreamExpiredError) return send(res, 400, JSON.stringify({ message: error.message, code: error.code }), "application/json");
      if (error instanceof ProtocolError) return send(res, 400, error.message, "text/plain");
      if (error instanceof TooManyStreamsError) return sendSqldError(res, 429, error.message);
      console.error("hrana stand-in: internal error", error);
      sendSqldError(res, 500, `Internal Error: \`${(error as Error).message}\``);
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const version = PIPELINES[path];
    if (version !== undefined) {
      if (req.method !== "POST") return send(res, 405, "");
      void pipeline(req, res, version);
    } else if (PROBES.has(path) || path === "/health") {
      if (req.method !== "GET") return send(res, 405, "");
      // hrana/http/mod.rs `handle_index`; /health answers empty.
      send(res, 200, path === "/health" ? "" : "Hello, this is HTTP API v2 (Hrana over HTTP)", "text/plain");
    } else send(res, 404, "");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    openStreams: () => streams.openCount,
    pipelinesServed: () => pipelines,
    close: async () => {
      streams.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
