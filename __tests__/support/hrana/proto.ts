// Hrana's JSON structures as sqld reads and writes them: libsql-hrana/src/proto.rs
// (serde field names, defaults and value encodings) and docs/HRANA_3_SPEC.md.
import { z } from "zod";

/** An error that is the protocol's fault: sqld answers 400 text/plain and drops the stream (hrana/mod.rs ProtocolError). */
export class ProtocolError extends Error {
  readonly name = "ProtocolError";
}

/** An error carried inside a result, as `{message, code}` (proto.rs Error). */
export class HranaError extends Error {
  readonly name = "HranaError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  toProto(): ProtoError {
    return { message: this.message, code: this.code };
  }
}

export interface ProtoError {
  message: string;
  code: string;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

// proto.rs `i64_as_str`: integers travel as decimal strings so JSON keeps 64 bits.
const integerText = z.string().refine((text) => /^[+-]?\d+$/.test(text) && BigInt(text) >= I64_MIN && BigInt(text) <= I64_MAX, "decimal integer as a string");
// proto.rs `bytes_as_base64`: standard alphabet; padding optional on the way in.
const base64Text = z.string().refine((text) => {
  const bare = text.replace(/=+$/, "");
  return /^[A-Za-z0-9+/]*$/.test(bare) && bare.length % 4 !== 1;
}, "binary data encoded as base64");

export const valueSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("null") }),
  z.object({ type: z.literal("integer"), value: integerText }),
  z.object({ type: z.literal("float"), value: z.number() }),
  z.object({ type: z.literal("text"), value: z.string() }),
  z.object({ type: z.literal("blob"), base64: base64Text }),
]);
export type ProtoValue = z.infer<typeof valueSchema>;

/** A value as better-sqlite3 binds and returns it: bigint is INTEGER, number is REAL. */
export type SqlValue = null | bigint | number | string | Buffer;

export function valueFromProto(value: ProtoValue): SqlValue {
  switch (value.type) {
    case "null": return null;
    case "integer": return BigInt(value.value);
    case "float": return value.value;
    case "text": return value.value;
    case "blob": return Buffer.from(value.base64.replace(/=+$/, ""), "base64");
  }
}

export function valueToProto(value: unknown): ProtoValue {
  if (value === null) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  // serde_json writes a non-finite float as null, and so does JSON.stringify.
  if (typeof value === "number") return { type: "float", value };
  if (typeof value === "string") return { type: "text", value };
  if (Buffer.isBuffer(value)) return { type: "blob", base64: value.toString("base64").replace(/=+$/, "") };
  throw new TypeError(`SQLite returned a value of type ${typeof value}`);
}

const sqlId = z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1);
const optional = <T extends z.ZodTypeAny>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const stmtSchema = z.object({
  sql: optional(z.string()),
  sql_id: optional(sqlId),
  args: z.array(valueSchema).default([]),
  named_args: z.array(z.object({ name: z.string(), value: valueSchema })).default([]),
  // Read but, as in sqld, not acted on: program.rs collects rows either way.
  want_rows: optional(z.boolean()),
});
export type ProtoStmt = z.infer<typeof stmtSchema>;

export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };

const step = z.number().int().min(0).max(2 ** 32 - 1);
export const batchCondSchema: z.ZodType<BatchCond> = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("ok"), step }),
    z.object({ type: z.literal("error"), step }),
    z.object({ type: z.literal("not"), cond: batchCondSchema }),
    z.object({ type: z.literal("and"), conds: z.array(batchCondSchema) }),
    z.object({ type: z.literal("or"), conds: z.array(batchCondSchema) }),
    z.object({ type: z.literal("is_autocommit") }),
  ]),
);

export const batchSchema = z.object({
  steps: z.array(z.object({ condition: optional(batchCondSchema), stmt: stmtSchema })),
});
export type ProtoBatch = z.infer<typeof batchSchema>;

const sqlOrId = { sql: optional(z.string()), sql_id: optional(sqlId) };

export const streamRequestSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("close") }),
  z.object({ type: z.literal("execute"), stmt: stmtSchema }),
  z.object({ type: z.literal("batch"), batch: batchSchema }),
  z.object({ type: z.literal("sequence"), ...sqlOrId }),
  z.object({ type: z.literal("describe"), ...sqlOrId }),
  z.object({ type: z.literal("store_sql"), sql_id: sqlId, sql: z.string() }),
  z.object({ type: z.literal("close_sql"), sql_id: sqlId }),
  z.object({ type: z.literal("get_autocommit") }),
]);
export type StreamRequest = z.infer<typeof streamRequestSchema>;

export const pipelineReqBodySchema = z.object({
  baton: optional(z.string()),
  requests: z.array(streamRequestSchema),
});

export interface ProtoCol {
  name: string | null;
  decltype: string | null;
}

/** proto.rs StmtResult, fields in sqld's order. */
export interface StmtResult {
  cols: ProtoCol[];
  rows: ProtoValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
  replication_index: string | null;
  rows_read: number;
  rows_written: number;
  query_duration_ms: number;
}

export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: (ProtoError | null)[];
  replication_index: string | null;
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  is_explain: boolean;
  is_readonly: boolean;
}

export type StreamResponse =
  | { type: "close" | "sequence" | "store_sql" | "close_sql" }
  | { type: "execute"; result: StmtResult }
  | { type: "batch"; result: BatchResult }
  | { type: "describe"; result: DescribeResult }
  | { type: "get_autocommit"; is_autocommit: boolean };

export type StreamResult = { type: "ok"; response: StreamResponse } | { type: "error"; error: ProtoError };

/** Hrana versions as sqld numbers them (hrana/mod.rs Version). */
export type Version = 2 | 3;
