import { env, usesBuiltinSignaling, type Env } from "@/lib/env";
import type { SignalingClientConfig } from "./schemas";

// Where browsers reach the signaling service (no secrets). Read by the chat
// page (lib/signaling/rest.ts re-exports it) and by proxy.ts, whose
// Content-Security-Policy allows connections to exactly this host.

export function clientConfig(config: Env = env()): SignalingClientConfig {
  const key = config.PUSHER_KEY;
  if (usesBuiltinSignaling(config)) return { kind: "same-origin", key };
  const wsHost = config.PUSHER_WS_HOST ?? config.PUSHER_HOST;
  // Hosted Pusher: browsers dial ws-<cluster>.pusher.com, never the app's own host.
  if (wsHost === undefined) return { kind: "cluster", key, cluster: config.PUSHER_CLUSTER ?? "mt1" };
  return { kind: "host", key, wsHost, wsPort: config.PUSHER_WS_PORT ?? config.PUSHER_PORT ?? null, forceTLS: config.PUSHER_USE_TLS ?? true };
}
