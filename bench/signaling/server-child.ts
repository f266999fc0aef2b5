// The server side of the signaling benchmark, run in a child process of its
// own so that its resident memory is measured alone. Talks to the parent
// over IPC: it reports its port, and on request runs a GC and reports stats.

import { createPusherServer } from "../../lib/signaling/server";
import { BENCH_APP } from "./protocol";

const maxConnections = Number(process.argv[2] ?? "20000");
// Every benchmark client comes from loopback: the per-address cap would stop it at 100.
const server = createPusherServer({ app: BENCH_APP, maxConnections, maxConnectionsPerAddress: maxConnections });

type Request = { type: "stats" } | { type: "stop" };

process.on("message", (msg: Request) => {
  if (msg.type === "stats") {
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    process.send?.({ type: "stats", stats: server.stats(), heapUsed: mem.heapUsed, rss: mem.rss });
  } else if (msg.type === "stop") {
    void server.close().then(() => process.exit(0));
  }
});

server.listen(0, "127.0.0.1").then(
  ({ port }) => process.send?.({ type: "ready", port }),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
