import "server-only";
import { runtimeMode } from "@/lib/deployment/runtime";
import { env } from "@/lib/env";
import { clientAddress } from "./forwarded";
import { CLIENT_IP_HEADER } from "./headers";

/**
 * The client's address as rate limits see it: the socket's (server.ts stamps
 * it into CLIENT_IP_HEADER), or, behind TRUST_PROXY reverse proxies, the
 * X-Forwarded-For entry the outermost trusted proxy wrote (lib/http/forwarded.ts).
 * Under `next start` nothing stamps that header, so a client could write it:
 * it is ignored there, and the start-up check requires TRUST_PROXY >= 1.
 */
export function clientIp(req: { headers: Headers }): string {
  const socket = runtimeMode() === "embedded" ? (req.headers.get(CLIENT_IP_HEADER) ?? "unknown") : "unknown";
  return clientAddress(socket, req.headers.get("x-forwarded-for"), env().TRUST_PROXY);
}
