// One `pipeline` request: acquire the stream its baton names, run each stream
// request in order (an error in one does not stop the next), hand back a new
// baton. libsql-server/src/hrana/http/mod.rs `handle_pipeline` and
// hrana/http/request.rs `handle`/`try_handle`.
import type { Connection } from "./connection";
import type { WriteGate } from "./lock";
import { executeBatch, executeSequence, executeStmt, sqlText } from "./program";
import { HranaError, pipelineReqBodySchema, ProtocolError, type DescribeResult, type StreamRequest, type StreamResponse, type StreamResult, type Version } from "./proto";
import { describeStatement, splitStatements } from "./sql-text";
import type { Stream, StreamTable } from "./streams";

// request.rs
const MAX_SQL_COUNT = 50;
const MAX_STORED_SQL_BYTES = 5000;

/** The `bytesize` crate's Display (decimal units), as in sqld's SQL_STORE_TOO_LARGE message. */
function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const exp = Math.min(6, Math.floor(Math.log(bytes) / Math.log(1000)));
  return `${(bytes / 1000 ** exp).toFixed(1)} ${"KMGTPE"[exp - 1]}B`;
}

export interface PipelineRespBody {
  baton: string | null;
  base_url: null;
  results: StreamResult[];
}

interface Context {
  streams: StreamTable;
  gate: WriteGate;
}

function openConnection(stream: Stream): Connection {
  if (stream.connection === null) throw new ProtocolError("Stream for this baton was closed");
  return stream.connection;
}

function describe(connection: Connection, sql: string): DescribeResult {
  const { cols, readonly } = connection.describe(sql);
  const info = describeStatement(splitStatements(sql)[0]?.tokens ?? []);
  return {
    params: info.params.map((name) => ({ name })),
    cols: cols.map((c) => ({ name: c.name ?? "", decltype: c.decltype })),
    is_explain: info.isExplain,
    is_readonly: readonly,
  };
}

async function respond(ctx: Context, stream: Stream, request: StreamRequest, version: Version): Promise<StreamResponse> {
  switch (request.type) {
    case "close":
      ctx.streams.closeConnection(stream);
      return { type: "close" };
    case "execute": {
      const connection = openConnection(stream);
      return { type: "execute", result: await executeStmt(connection, ctx.gate, request.stmt, stream.sqls) };
    }
    case "batch": {
      const connection = openConnection(stream);
      return { type: "batch", result: await executeBatch(connection, ctx.gate, request.batch, stream.sqls, version) };
    }
    case "sequence": {
      const connection = openConnection(stream);
      await executeSequence(connection, ctx.gate, sqlText(request.sql, request.sql_id, stream.sqls));
      return { type: "sequence" };
    }
    case "describe": {
      const connection = openConnection(stream);
      return { type: "describe", result: describe(connection, sqlText(request.sql, request.sql_id, stream.sqls)) };
    }
    case "store_sql": {
      if (stream.sqls.has(request.sql_id)) throw new ProtocolError(`SQL text ${request.sql_id} already exists`);
      if (stream.sqls.size >= MAX_SQL_COUNT) throw new HranaError(`The server already stores ${stream.sqls.size} SQL texts, it cannot store more`, "SQL_STORE_TOO_MANY");
      const size = Buffer.byteLength(request.sql);
      if (size > MAX_STORED_SQL_BYTES) throw new HranaError(`The statement is too large to be stored: ${byteSize(size)}/${byteSize(MAX_STORED_SQL_BYTES)}`, "SQL_STORE_TOO_LARGE");
      stream.sqls.set(request.sql_id, request.sql);
      return { type: "store_sql" };
    }
    case "close_sql":
      stream.sqls.delete(request.sql_id);
      return { type: "close_sql" };
    case "get_autocommit": {
      if (version < 3) throw new ProtocolError("The `get_autocommit` request is only supported in protocol version hrana3 and higher");
      return { type: "get_autocommit", is_autocommit: openConnection(stream).isAutocommit };
    }
  }
}

/** Throws ProtocolError (400, stream dropped), StreamExpiredError or TooManyStreamsError; stream errors become results. */
export async function handlePipeline(ctx: Context, json: unknown, version: Version): Promise<PipelineRespBody> {
  const parsed = pipelineReqBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProtocolError(`Cannot deserialize client message from JSON: ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  const stream = ctx.streams.acquire(parsed.data.baton);
  const results: StreamResult[] = [];
  try {
    for (const request of parsed.data.requests) {
      try {
        results.push({ type: "ok", response: await respond(ctx, stream, request, version) });
      } catch (error) {
        if (!(error instanceof HranaError)) throw error;
        results.push({ type: "error", error: error.toProto() });
      }
    }
  } catch (error) {
    ctx.streams.drop(stream);
    throw error;
  }
  return { baton: ctx.streams.release(stream), base_url: null, results };
}
