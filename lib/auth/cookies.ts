import "server-only";
import { env } from "@/lib/env";

/** Cookies are `Secure` (and `__Secure-` prefixed) whenever the public URL is https. */
export function usesSecureCookies(): boolean {
  return env().NEXTAUTH_URL?.startsWith("https://") ?? false;
}

/** Cookies of a request header, first value wins for a repeated name (as browsers and next-auth read them). */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}
