import { z } from "zod";
import { deviceIdSchema } from "@/lib/account-devices/schemas";
import { decodeBase64Url, isP256Point } from "./keys";

// What crosses the push routes, checked the same way on every edge. Shared
// with the browser (no server imports): the page sends exactly these shapes.

export const PING_MAX_COUNT = 100_000;
export const ENDPOINT_MAX_CHARS = 2048;
/** An uncompressed P-256 point (0x04 || x || y) and the RFC 8291 auth secret. */
export const P256DH_BYTES = 65;
export const AUTH_BYTES = 16;

/** The one thing a push message ever says: "N new messages", nothing else. */
export interface PingPayload {
  type: "ping";
  count: number;
}

export const pingRequestSchema = z
  .object({
    count: z
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(PING_MAX_COUNT, `must be at most ${PING_MAX_COUNT}`),
  })
  .strict();
export type PingRequest = z.infer<typeof pingRequestSchema>;

function isHttpsEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Credentials in the URL would be sent to the push service on every ping.
  return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "";
}

export const endpointSchema = z
  .string({ error: "must be a string" })
  .max(ENDPOINT_MAX_CHARS, `must be at most ${ENDPOINT_MAX_CHARS} characters`)
  .refine(isHttpsEndpoint, "must be an https:// URL without credentials");

const keySchema = (bytes: number, what: string, extra: (b: Uint8Array) => boolean = () => true) =>
  z
    .string({ error: "must be a string" })
    .refine((text) => {
      const decoded = decodeBase64Url(text);
      return decoded !== null && decoded.length === bytes && extra(decoded);
    }, `must be the base64url encoding of ${what}`)
    .transform((text) => text.replace(/=+$/, ""));

export const subscribeRequestSchema = z
  .object({
    endpoint: endpointSchema,
    keys: z
      .object({
        // Checked on the curve here, so a bad key is a 400 now rather than a
        // push that fails to encrypt on every ping later.
        p256dh: keySchema(P256DH_BYTES, `a ${P256DH_BYTES}-byte P-256 public key`, isP256Point),
        auth: keySchema(AUTH_BYTES, `a ${AUTH_BYTES}-byte auth secret`),
      })
      .strict(),
  })
  .strict();
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

export const unsubscribeRequestSchema = z.object({ endpoint: endpointSchema }).strict();
export type UnsubscribeRequest = z.infer<typeof unsubscribeRequestSchema>;

/** GET /api/push/subscribe: whether this device gets pings, and the key to subscribe with. */
export interface SubscriptionStatus {
  subscribed: boolean;
  vapidPublicKey: string;
}

/** The live notice on the user's own presence channel (NOTICE_EVENT): as content-free as the push. */
export const pingNoticeSchema = z
  .object({ type: z.literal("ping"), count: z.number().int().min(1).max(PING_MAX_COUNT), fromDevice: deviceIdSchema })
  .strict();
export type PingNotice = z.infer<typeof pingNoticeSchema>;

export interface PingResult {
  /** Push messages the push services accepted. */
  sent: number;
  /** Subscriptions the push services reported gone (404/410), now deleted. */
  removed: number;
}
