import type { Options } from "pusher-js";
import type { SignalingClientConfig } from "./schemas";

// The pusher-js options for each kind of signaling service. Kept apart from
// the client so the one thing that differs between deployments (where the
// browser dials) is a pure function a test can hold against pusher-js itself.
//
// pusher-js 8 knows one WebSocket transport, named "ws"; it dials wss:// on
// its own when `forceTLS` is set or the page is https. Naming "wss" matches
// no transport at all, and the page would wait forever (issue 9).

export interface PageLocation {
  hostname: string;
  port: string;
  protocol: string;
}

const WEBSOCKET_ONLY = { enabledTransports: ["ws"] as Options["enabledTransports"], disableStats: true };

export function pusherOptions(config: SignalingClientConfig, page: PageLocation): Options {
  const channelAuthorization = { transport: "ajax" as const, endpoint: "/api/pusher/auth" };
  if (config.kind === "cluster") {
    // Hosted Pusher: pusher-js derives ws-<cluster>.pusher.com itself.
    return { cluster: config.cluster, forceTLS: true, ...WEBSOCKET_ONLY, channelAuthorization };
  }
  if (config.kind === "same-origin") {
    // The built-in server shares the page's host and port (and its TLS, when a proxy or HTTPS=1 adds it).
    const secure = page.protocol === "https:";
    const port = Number(page.port || (secure ? 443 : 80));
    return { cluster: "local", wsHost: page.hostname, wsPort: port, wssPort: port, forceTLS: secure, ...WEBSOCKET_ONLY, channelAuthorization };
  }
  const port = config.wsPort ?? (config.forceTLS ? 443 : 80);
  return { cluster: "local", wsHost: config.wsHost, wsPort: port, wssPort: port, forceTLS: config.forceTLS, ...WEBSOCKET_ONLY, channelAuthorization };
}
