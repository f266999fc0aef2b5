// Preloaded into soketi's node process by bench/signaling/servers.ts
// (`node --expose-gc --require <this> soketi/bin/server.js start`), so the
// baseline gets what bench/signaling/server-child.ts gives the built-in
// server: on a "stats" message over IPC it runs a full GC and reports the
// JS heap. It touches nothing of soketi's. No connection count: soketi has
// no cheap way to ask for one, so the bench checks its sockets client-side.
"use strict";

process.on("message", (msg) => {
  if (!msg || msg.type !== "stats" || !process.send) return;
  if (typeof global.gc === "function") global.gc();
  const mem = process.memoryUsage();
  process.send({ type: "stats", heapUsed: mem.heapUsed, rss: mem.rss, connections: null });
});
