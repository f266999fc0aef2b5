import { z } from "zod";
import { MAX_TEXT_BYTES, MESSAGE_ID_PATTERN } from "./limits";

// The plaintext inside every W-Ratchet message: a typed frame, JSON in UTF-8.
// Nothing arriving on a data channel is used before it parses here; what does
// not parse is reported as a value (never thrown) so the caller can drop and
// count it.

const utf8 = new TextEncoder();
const messageId = z.string().regex(MESSAGE_ID_PATTERN, "is not a message id");
const epochMs = z.number().int().min(0).max(8.64e15);

/** Control characters other than tab and newline have no place in a chat message. */
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Which rule a chat text broke, for callers that explain it in their own words (issue.params.rule). */
export type ChatTextRule = "empty" | "too-long" | "control-character";

export const chatTextSchema = z
  .string()
  .min(1, "must not be empty")
  .refine((text) => utf8.encode(text).length <= MAX_TEXT_BYTES, { message: `must be at most ${MAX_TEXT_BYTES / 1024} KiB`, params: { rule: "too-long" } })
  .refine((text) => !FORBIDDEN_CONTROL.test(text), { message: "must not contain control characters", params: { rule: "control-character" } });

export const chatFrameSchema = z.object({ t: z.literal("chat"), id: messageId, sentAt: epochMs, text: chatTextSchema }).strict();
export const ackFrameSchema = z.object({ t: z.literal("ack"), id: messageId }).strict();

export const baseFrameSchemas = [chatFrameSchema, ackFrameSchema] as const;

export type ChatFrame = z.infer<typeof chatFrameSchema>;
export type AckFrame = z.infer<typeof ackFrameSchema>;
