import { z } from "zod";

// Nicknames are the product's public identity: shown to peers, used in channel
// names (presence-user-<nickname>) and URLs, so they are kept to a small,
// unambiguous alphabet and stored lowercase.

export const NICKNAME_MIN = 3;
export const NICKNAME_MAX = 24;

export const nicknameSchema = z
  .string({ error: "must be a string" })
  .trim()
  .toLowerCase()
  .min(NICKNAME_MIN, `must be at least ${NICKNAME_MIN} characters`)
  .max(NICKNAME_MAX, `must be at most ${NICKNAME_MAX} characters`)
  .regex(/^[a-z0-9_-]+$/, "may only contain letters a–z, digits, _ and -");

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Lengths count characters (code points), not UTF-16 units or bytes. */
export const passwordSchema = z
  .string({ error: "must be a string" })
  .refine((p) => [...p].length >= PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .refine((p) => [...p].length <= PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);

export const credentialsSchema = z.object({ nickname: nicknameSchema, password: passwordSchema }).strict();
