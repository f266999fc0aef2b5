import { z } from "zod";

// Frames between a device and its account's home relay (docs/protocol.md
// "Home relay"). The requester proves the log passphrase by signing a
// one-time challenge; the passphrase itself never travels.

const requestId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, "is not a request id");
const b64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, "is not base64");

/** Most sealed records one chunk carries; chunks stay far below the wire limit. */
export const MAX_RECORDS_PER_CHUNK = 256;
/** A sealed record in base64: a chat record (≤ 64 KiB text, ≤ 128 KiB as JSON) sealed. */
export const MAX_SEALED_RECORD_B64 = 200 * 1024;
export const MAX_CHUNK_B64_TOTAL = 200 * 1024;

export const LOG_OPS = ["retrieve", "clear"] as const;
export type LogOp = (typeof LOG_OPS)[number];

export const LOG_REFUSALS = ["not-same-account", "no-logs", "bad-proof", "replayed", "expired", "locked-out", "busy"] as const;
export type LogRefusal = (typeof LOG_REFUSALS)[number];

const kdfParams = z.union([
  z.object({ alg: z.literal("argon2id"), m: z.number().int(), t: z.number().int(), p: z.number().int() }).strict(),
  z.object({ alg: z.literal("scrypt"), N: z.number().int(), r: z.number().int(), p: z.number().int() }).strict(),
]);

/**
 * What a requester needs to derive the log keys from a passphrase: the salt
 * and KDF parameters, but not the public keys. Without a public key to check
 * candidates against, a passphrase can only be tested by proving it to the
 * home relay, which counts failures.
 */
export const logKdfSchema = z.object({ salt: b64(64), kdf: kdfParams }).strict();

export const logRequestFrameSchema = z.object({ t: z.literal("log-request"), rid: requestId, op: z.enum(LOG_OPS) }).strict();
export const logChallengeFrameSchema = z.object({ t: z.literal("log-challenge"), rid: requestId, challenge: b64(1024), derive: logKdfSchema }).strict();
export const logProofFrameSchema = z.object({ t: z.literal("log-proof"), rid: requestId, proof: b64(128) }).strict();
export const logRefusedFrameSchema = z
  .object({ t: z.literal("log-refused"), rid: requestId, reason: z.enum(LOG_REFUSALS), retryAfterMs: z.number().int().min(0).optional() })
  .strict();
export const logBeginFrameSchema = z.object({ t: z.literal("log-begin"), rid: requestId, total: z.number().int().min(0) }).strict();
export const logChunkFrameSchema = z
  .object({
    t: z.literal("log-chunk"),
    rid: requestId,
    seq: z.number().int().min(0),
    records: z
      .array(b64(MAX_SEALED_RECORD_B64))
      .max(MAX_RECORDS_PER_CHUNK)
      .refine((records) => records.reduce((n, r) => n + r.length, 0) <= MAX_CHUNK_B64_TOTAL, "chunk too large"),
  })
  .strict();
export const logEndFrameSchema = z.object({ t: z.literal("log-end"), rid: requestId, count: z.number().int().min(0) }).strict();
export const logClearedFrameSchema = z.object({ t: z.literal("log-cleared"), rid: requestId, count: z.number().int().min(0) }).strict();

export const relayFrameSchemas = [
  logRequestFrameSchema,
  logChallengeFrameSchema,
  logProofFrameSchema,
  logRefusedFrameSchema,
  logBeginFrameSchema,
  logChunkFrameSchema,
  logEndFrameSchema,
  logClearedFrameSchema,
] as const;

export type LogKdfFrame = z.infer<typeof logKdfSchema>;
export type LogRequestFrame = z.infer<typeof logRequestFrameSchema>;
export type LogChallengeFrame = z.infer<typeof logChallengeFrameSchema>;
export type LogProofFrame = z.infer<typeof logProofFrameSchema>;
export type LogRefusedFrame = z.infer<typeof logRefusedFrameSchema>;
export type LogChunkFrame = z.infer<typeof logChunkFrameSchema>;
