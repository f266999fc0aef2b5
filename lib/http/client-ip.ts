import "server-only";
import { env } from "@/lib/env";
import { clientAddress } from "./forwarded";
import { CLIENT_IP_HEADER } from "./headers";

/**
 * The client's address as rate limits see it: the socket's (server.ts stamps
 * it into CLIENT_IP_HEADER), or, behind TRUST_PROXY reverse proxies, the
 * X-Forwarded-For entry the outermost trusted proxy wrote (lib/http/forwarded.ts).
 */
export function clientIp(req: { headers: Headers }): string {
  return clientAddress(req.headers.get(CLIENT_IP_HEADER) ?? "unknown", req.headers.get("x-forwarded-for"), env().TRUST_PROXY);
}
