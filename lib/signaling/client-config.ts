import { env, usesBuiltinSignaling, type Env } from "@/lib/env";
import type { SignalingClientConfig } from "./schemas";

// Where browsers reach the signaling service (no secrets). Read by the chat
// page (lib/signaling/rest.ts re-exports it) and by proxy.ts, whose
// Content-Security-Policy allows connections to exactly this host.

export function clientConfig(config: Env = env()): SignalingClientConfig {
  if (usesBuiltinSignaling(config)) return { key: config.PUSHER_KEY, wsHost: null, wsPort: null, forceTLS: false, cluster: "local" };
  return {
    key: config.PUSHER_KEY,
    wsHost: config.PUSHER_WS_HOST ?? config.PUSHER_HOST ?? null,
    wsPort: config.PUSHER_WS_PORT ?? config.PUSHER_PORT ?? null,
    forceTLS: config.PUSHER_USE_TLS ?? true,
    cluster: config.PUSHER_CLUSTER ?? "mt1",
  };
}
