import type { Env } from "@/lib/env";
import type { SignalingClientConfig } from "@/lib/signaling/schemas";

// The browser's policy for every response (proxy.ts applies it per request):
//  - scripts run only with this response's nonce ('strict-dynamic' lets them
//    load the chunks they import); no 'unsafe-inline', so an injected inline
//    script or event handler does not run, and no 'unsafe-eval' outside dev;
//  - connections only to the app's own origin and its signaling host;
//  - no framing (frame-ancestors 'none'), no <base>, no plugins;
//  - HSTS once the public URL is https.
// Styles keep 'unsafe-inline': React's style attributes need it, and the
// issue (docs/security.md) is scripts.

export const HSTS = "max-age=63072000; includeSubDomains";

/** 16 random bytes, base64: a fresh one per response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

const defaultPort = (secure: boolean) => (secure ? 443 : 80);

/** Where the page's WebSocket to signaling goes, as a CSP source (lib/signaling/pusher-options.ts makes the same choice). */
export function signalingSource(config: SignalingClientConfig, appOrigin: URL): string {
  if (config.kind === "same-origin") {
    const secure = appOrigin.protocol === "https:";
    return `${secure ? "wss" : "ws"}://${appOrigin.host}`;
  }
  if (config.kind === "cluster") return `wss://ws-${config.cluster}.pusher.com`;
  const port = config.wsPort ?? defaultPort(config.forceTLS);
  return `${config.forceTLS ? "wss" : "ws"}://${config.wsHost}${port === defaultPort(config.forceTLS) ? "" : `:${port}`}`;
}

export function contentSecurityPolicy(opts: { nonce: string; appOrigin: URL; signaling: SignalingClientConfig; dev: boolean }): string {
  const appSocket = `${opts.appOrigin.protocol === "https:" ? "wss" : "ws"}://${opts.appOrigin.host}`;
  const connect = [...new Set(["'self'", appSocket, signalingSource(opts.signaling, opts.appOrigin)])];
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.join(" ")}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.appOrigin.protocol === "https:" ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The public origin: NEXTAUTH_URL when set, else the one the request came to. */
export function appOrigin(config: Pick<Env, "NEXTAUTH_URL">, requestUrl: string): URL {
  return new URL(new URL(config.NEXTAUTH_URL ?? requestUrl).origin);
}
