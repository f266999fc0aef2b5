// Which way this process was started. `npm start` runs server.ts, which
// applies migrations, hosts the built-in signaling server and stamps socket
// addresses; a platform's `next start` (or a serverless function) has none of
// that and must be configured for it. server.ts marks the process before Next
// loads; the mark lives in the global symbol registry because Next's bundle
// and server.ts load separate copies of this module.

export type RuntimeMode = "embedded" | "hosted";

const MARK = Symbol.for("communisp.embedded-server");

export function markEmbeddedServer(): void {
  (globalThis as Record<symbol, unknown>)[MARK] = true;
}

export function runtimeMode(): RuntimeMode {
  return (globalThis as Record<symbol, unknown>)[MARK] === true ? "embedded" : "hosted";
}
