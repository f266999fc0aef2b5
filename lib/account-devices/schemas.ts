import { z } from "zod";

const KEY_BYTES = 32;

/** Standard base64 of exactly 32 bytes (Ed25519 and X25519 public keys). */
export const publicKeySchema = z
  .string({ error: "must be a base64 string" })
  .regex(/^[A-Za-z0-9+/]{43}=$/, `must be the base64 encoding of a ${KEY_BYTES}-byte public key`);

export const deviceNameSchema = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .refine((name) => !/[\u0000-\u001f\u007f-\u009f]/.test(name), "must not contain control characters")
  // A name is shown to the person deciding whether to revoke it ("New device
  // signed in: …"): bidirectional overrides could make "exe.gpj" read as
  // "jpg.exe", and invisible characters could make two names look the same.
  // Format characters (Cf: bidi controls, zero-width characters, BOM, tags),
  // private-use and unpaired surrogates, line/paragraph separators and the
  // Hangul fillers that render as blanks are refused.
  .refine((name) => !/[\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/u.test(name), "must not contain bidirectional controls or invisible characters");

export const deviceIdSchema = z.string().regex(/^[a-z0-9]{20,40}$/, "is not a device id");

export const registerDeviceSchema = z
  .object({ name: deviceNameSchema, signPublicKey: publicKeySchema, dhPublicKey: publicKeySchema })
  .strict();

export const updateDeviceSchema = z
  .object({ name: deviceNameSchema.optional(), home: z.boolean({ error: "must be true or false" }).optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.home !== undefined, "send name, home or both");

/** A device as anyone may see it: GET /api/users/:nickname. */
export const publicDeviceSchema = z.object({ id: deviceIdSchema, name: z.string().max(64), signPublicKey: publicKeySchema, dhPublicKey: publicKeySchema, home: z.boolean() });
export type PublicDevice = z.infer<typeof publicDeviceSchema>;

/** GET /api/users/:nickname, as the browser checks it before trusting any key in it. */
export const publicDevicesSchema = z.object({ nickname: z.string(), devices: z.array(publicDeviceSchema).max(64) });

/**
 * Notices on the account's own presence channel (NOTICE_EVENT) about its
 * devices, so its other open pages can say "New device signed in".
 */
export const deviceNoticeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("device_added"), deviceId: deviceIdSchema, name: z.string().max(64), createdAt: z.iso.datetime() }).strict(),
  z.object({ type: z.literal("device_revoked"), deviceId: deviceIdSchema }).strict(),
]);
export type DeviceNotice = z.infer<typeof deviceNoticeSchema>;
