import { z } from "zod";
import { nicknameSchema } from "@/lib/auth/nickname";

// What travels through signaling, on both sides of it. Only SDP and ICE
// candidates, as opaque strings: nothing the server could read a message in.

export const SIGNAL_DATA_MAX_BYTES = 8 * 1024;
export const SIGNAL_TYPES = ["offer", "answer", "candidate", "bye"] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

export const userChannel = (nickname: string) => `presence-user-${nickname}`;
export const SIGNAL_EVENT = "signal";
/** Content-free "your home relay received something" notices (issue: home relay). */
export const NOTICE_EVENT = "notice";

const deviceId = z.string().regex(/^[a-z0-9]{20,40}$/, "is not a device id");
const byteLength = (s: string) => new TextEncoder().encode(s).length;

export const signalRequestSchema = z
  .object({
    to: nicknameSchema,
    toDevice: deviceId.optional(),
    type: z.enum(SIGNAL_TYPES, { error: `must be one of ${SIGNAL_TYPES.join(", ")}` }),
    data: z
      .string({ error: "must be a string" })
      .refine((d) => byteLength(d) <= SIGNAL_DATA_MAX_BYTES, `must be at most ${SIGNAL_DATA_MAX_BYTES} bytes`),
  })
  .strict();
export type SignalRequest = z.infer<typeof signalRequestSchema>;

/** The event a recipient gets: `from` is stamped by the server from the session. */
export const signalEventSchema = z
  .object({
    from: z.object({ nickname: nicknameSchema, deviceId }).strict(),
    toDevice: deviceId.optional(),
    type: z.enum(SIGNAL_TYPES),
    data: z.string().max(SIGNAL_DATA_MAX_BYTES),
  })
  .strict();
export type SignalEvent = z.infer<typeof signalEventSchema>;

export const memberInfoSchema = z.object({ deviceName: z.string().max(64), home: z.boolean() }).strict();
export type MemberInfo = z.infer<typeof memberInfoSchema>;

export const presenceSchema = z.object({ online: z.array(z.object({ deviceId, home: z.boolean() }).strict()) }).strict();
export type Presence = z.infer<typeof presenceSchema>;

/**
 * What the browser needs to reach the signaling service (no secrets):
 * the built-in server on the page's own origin, a self-hosted server
 * (soketi, sockudo, Reverb) at a host of its own, or hosted Pusher by cluster.
 */
export type SignalingClientConfig =
  | { kind: "same-origin"; key: string }
  | { kind: "host"; key: string; wsHost: string; wsPort: number | null; forceTLS: boolean }
  | { kind: "cluster"; key: string; cluster: string };
