import "server-only";
import { env } from "@/lib/env";
import { CLIENT_IP_HEADER } from "./headers";

/**
 * The address server.ts saw on the socket. Behind a proxy or on a hosted
 * platform, TRUST_PROXY=true takes the first X-Forwarded-For hop instead.
 */
export function clientIp(req: Request): string {
  if (env().TRUST_PROXY) {
    const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
    const real = req.headers.get("x-real-ip")?.trim();
    if (real) return real;
  }
  return req.headers.get(CLIENT_IP_HEADER) ?? "unknown";
}
