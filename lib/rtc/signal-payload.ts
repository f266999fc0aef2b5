import { z } from "zod";

// The `data` of a signal, as JSON: which link instance it belongs to (so a
// peer that reloaded starts a fresh link instead of confusing the old one),
// and an SDP or an ICE candidate.

export const linkIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,32}$/, "is not a link id");

const candidateSchema = z
  .object({
    candidate: z.string().max(2048),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .strict();

export const signalPayloadSchema = z
  .object({
    v: z.literal(1),
    link: linkIdSchema,
    /** The receiver's link this signal answers, once the sender knows it. */
    peer: linkIdSchema.optional(),
    sdp: z.string().max(7 * 1024).optional(),
    candidate: candidateSchema.optional(),
  })
  .strict();

export type SignalPayload = z.infer<typeof signalPayloadSchema>;
export type CandidateInit = z.infer<typeof candidateSchema>;

export function parseSignalPayload(data: string): SignalPayload | null {
  try {
    const parsed = signalPayloadSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
