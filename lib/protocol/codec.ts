import { z } from "zod";
import { baseFrameSchemas } from "./frames";
import { MAX_FRAME_BYTES } from "./limits";
import { relayFrameSchemas } from "./relay-frames";

export const frameSchema = z.discriminatedUnion("t", [...baseFrameSchemas, ...relayFrameSchemas]);
export type Frame = z.infer<typeof frameSchema>;
export type FrameType = Frame["t"];

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; reason: "too-large" | "not-utf8" | "not-json" | "invalid"; detail?: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Frames are JSON in UTF-8. Throws (misuse) for a frame that would not parse on the other side. */
export function encodeFrame(frame: Frame): Uint8Array {
  const checked = frameSchema.parse(frame);
  const bytes = encoder.encode(JSON.stringify(checked));
  if (bytes.length > MAX_FRAME_BYTES) throw new RangeError(`frame is ${bytes.length} bytes; the limit is ${MAX_FRAME_BYTES}`);
  return bytes;
}

/** Never throws: whatever arrives, the answer is a frame or a reason to drop it. */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: "invalid", detail: "not bytes" };
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: "too-large" };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, reason: "not-utf8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not-json" };
  }
  const parsed = frameSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: "invalid", detail: parsed.error.issues[0]?.message };
  return { ok: true, frame: parsed.data };
}
