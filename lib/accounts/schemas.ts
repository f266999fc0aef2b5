import { z } from "zod";
import { passwordSchema } from "@/lib/auth/nickname";

/** POST /api/account/password. Shared with the browser's form. */
export const passwordChangeSchema = z
  .object({
    // Only its shape is checked here: whether it is right is the server's question.
    currentPassword: z.string({ error: "must be a string" }).min(1, "is required").max(1024, "is too long"),
    newPassword: passwordSchema,
  })
  .strict()
  .refine((body) => body.currentPassword !== body.newPassword, { message: "must differ from the current password", path: ["newPassword"] });
export type PasswordChange = z.infer<typeof passwordChangeSchema>;
