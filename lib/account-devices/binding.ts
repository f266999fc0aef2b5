import { z } from "zod";
import { deviceIdSchema } from "./schemas";

// Binding a session to a device that already exists (a browser logging in
// again) needs proof that the browser holds that device's Ed25519 secret key:
// without it, anyone with the password could sign in as the home device
// without adding a device anybody would notice. The device signs a fresh
// server challenge under its own context string, so the signature can never
// pass for a handshake signature or anything else the key signs.
// Shared by the browser (lib/this-device) and the server (lib/account-devices/session-binding.ts).

export const BINDING_CONTEXT = "CommunisP device binding v1";
export const CHALLENGE_BYTES = 32;

/** BINDING_CONTEXT || 0x00 || challenge (32 bytes) || UTF-8 device id */
export function bindingMessage(challenge: Uint8Array, deviceId: string): Uint8Array {
  if (challenge.length !== CHALLENGE_BYTES) throw new RangeError(`challenge must be ${CHALLENGE_BYTES} bytes`);
  const context = new TextEncoder().encode(BINDING_CONTEXT);
  const id = new TextEncoder().encode(deviceId);
  const message = new Uint8Array(context.length + 1 + CHALLENGE_BYTES + id.length);
  message.set(context, 0);
  message.set(challenge, context.length + 1);
  message.set(id, context.length + 1 + CHALLENGE_BYTES);
  return message;
}

export const bindRequestSchema = z
  .object({
    deviceId: deviceIdSchema,
    /** Ed25519 signature of bindingMessage(challenge, deviceId), standard base64. */
    signature: z.string({ error: "must be a base64 string" }).regex(/^[A-Za-z0-9+/]{86}==$/, "must be the base64 encoding of a 64-byte signature"),
  })
  .strict();
export type BindRequest = z.infer<typeof bindRequestSchema>;

export interface BindChallenge {
  /** base64 of CHALLENGE_BYTES random bytes; valid for one bind, for a few minutes. */
  challenge: string;
}
