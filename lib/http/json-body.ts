import type { z } from "zod";
import { ApiError } from "./api-error";

export const MAX_BODY_BYTES = 16 * 1024;

/** Reads at most `limit` bytes, refusing early on a declared or streamed excess. */
export async function readCapped(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid UTF-8.");
  }
}

const tooLarge = (limit: number) => new ApiError(413, "payload_too_large", `The request body is larger than ${limit / 1024} KiB.`);

/** Describes the first zod issue in words: which field, which rule. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is not valid.";
  const field = issue.path.length > 0 ? issue.path.join(".") : "body";
  return `${field}: ${issue.message}`;
}

export async function parseJsonBody<T extends z.ZodType>(req: Request, schema: T, limit = MAX_BODY_BYTES): Promise<z.infer<T>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).");
  }
  const text = await readCapped(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, "invalid_input", describeIssue(result.error));
  return result.data;
}

/** For clients that can only post forms (pusher-js's channel authorization). */
export async function parseFormBody<T extends z.ZodType>(req: Request, schema: T, limit = MAX_BODY_BYTES): Promise<z.infer<T>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as a form (Content-Type: application/x-www-form-urlencoded).");
  }
  const form = new URLSearchParams(await readCapped(req, limit));
  // A repeated field would otherwise mean whichever copy a reader happens to take.
  const keys = [...form.keys()];
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) throw new ApiError(400, "invalid_input", `${repeated.slice(0, 40)}: must be sent once`);
  const result = schema.safeParse(Object.fromEntries(form));
  if (!result.success) throw new ApiError(400, "invalid_input", describeIssue(result.error));
  return result.data;
}
