import { z } from "zod";

// The ICE configuration a browser gets: from the chat page at load, then from
// GET /api/ice-servers whenever its TURN credentials are due for renewal.
// Parsed on both sides: the server builds it, the browser checks it before use.

export const iceServerSchema = z
  .object({
    urls: z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(8)]),
    username: z.string().max(512).optional(),
    credential: z.string().max(512).optional(),
  })
  .strict();

export const iceConfigSchema = z
  .object({
    iceServers: z.array(iceServerSchema).max(16),
    /**
     * How long from now the TURN credentials in iceServers last, or null when
     * nothing expires. Relative, so a browser whose clock is off renews in time.
     */
    ttlSeconds: z.number().int().positive().max(86_400).nullable(),
    /** Whether the server mints TURN credentials (the browser then keeps them fresh). */
    turn: z.boolean(),
  })
  .strict();

export type IceConfig = z.infer<typeof iceConfigSchema>;
