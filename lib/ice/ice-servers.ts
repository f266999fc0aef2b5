import "server-only";
import { env, type Env } from "@/lib/env";
import { urlHost } from "@/lib/net/listen-address";
import { builtinStunPort } from "./builtin-stun";
import type { IceConfig } from "./schemas";
import { mintTurnCredential } from "./turn-credentials";

// The STUN/TURN servers a browser is given, in the order it should try them:
// the built-in STUN responder (when this process runs one), the static
// ICE_SERVERS, then TURN with credentials minted for this device.

/** stun:<public host>:<port>: the host people already reach, from NEXTAUTH_URL. */
export function builtinStunUrl(config: Env, port: number | null = builtinStunPort()): string | null {
  if (port === null || !config.NEXTAUTH_URL) return null;
  return `stun:${urlHost(new URL(config.NEXTAUTH_URL).hostname)}:${port}`;
}

/**
 * `deviceId` null: no TURN credentials (the chat page renders before a new
 * browser has registered its device; it fetches them right after).
 */
export function iceConfigFor(deviceId: string | null, config: Env = env(), nowMs: number = Date.now()): IceConfig {
  const iceServers: RTCIceServer[] = [];
  const stun = builtinStunUrl(config);
  if (stun) iceServers.push({ urls: stun });
  iceServers.push(...(config.ICE_SERVERS ?? []));
  const turn = config.TURN_URLS !== undefined && config.TURN_SECRET !== undefined;
  let ttlSeconds: number | null = null;
  if (turn && deviceId) {
    const minted = mintTurnCredential(config.TURN_SECRET!, deviceId, nowMs, config.TURN_TTL);
    iceServers.push({ urls: config.TURN_URLS!, username: minted.username, credential: minted.credential });
    ttlSeconds = config.TURN_TTL;
  }
  return { iceServers, ttlSeconds, turn };
}
