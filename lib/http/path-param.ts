import type { z } from "zod";
import { ApiError } from "./api-error";

/**
 * A path parameter checked with zod. Next has already percent-decoded it
 * once; it is not decoded again (so "/api/users/%25E0" is the text "%E0",
 * refused as input, never a URIError).
 */
export async function pathParam<T extends z.ZodType>(params: Promise<Record<string, string>>, name: string, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse((await params)[name]);
  if (!result.success) throw new ApiError(400, "invalid_input", `${name}: ${result.error.issues[0]?.message ?? "is not valid"}`);
  return result.data;
}
