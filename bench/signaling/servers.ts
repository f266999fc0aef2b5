// The two servers the signaling benchmark measures, each started in a child
// process of its own so that its memory and CPU are its alone: the built-in
// server (bench/signaling/server-child.ts) and soketi, the baseline, from
// .soketi/ where `node scripts/soketi/install.mjs` puts it. soketi is
// configured as the conformance suite configures it
// (__tests__/integration/signaling/support/targets.ts), with the limits that
// the workload touches set to the built-in server's.

import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { BENCH_APP } from "./protocol";

export interface ServerStats {
  /** JS heap after a full GC, bytes. */
  heapUsed: number;
  /** The server's own count of open connections, where it can tell cheaply (soketi cannot). */
  connections: number | null;
}

export interface BenchServer {
  name: string;
  /** What exactly ran, for the report (e.g. "soketi 1.6.1, uWebSockets.js 20.0.8"). */
  version: string;
  pid: number;
  port: number;
  /** Runs a full GC in the server process and reports its heap. */
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, "..", "..");
/** Where `node scripts/soketi/install.mjs` puts soketi. */
export const SOKETI_DIR = join(ROOT, ".soketi");
const soketiBin = (dir: string) => join(dir, "node_modules", "@soketi", "soketi", "bin", "server.js");
const SOKETI_PROBE = join(__dirname, "soketi-probe.cjs");
const OURS_CHILD = join(__dirname, "server-child.ts");
export const SOKETI_INSTALL_HINT = "install with `node scripts/soketi/install.mjs`";

/** A child process that answers {type: "stats"} with {type: "stats", heapUsed, connections} over IPC. */
function ipcStats(child: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error("server did not answer a stats request within 10 s"));
    }, 10_000);
    const onMessage = (msg: { type: string; heapUsed: number; stats?: { connections: number }; connections?: number | null }) => {
      if (msg.type !== "stats") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve({ heapUsed: msg.heapUsed, connections: msg.stats?.connections ?? msg.connections ?? null });
    };
    child.on("message", onMessage);
    child.send({ type: "stats" });
  });
}

async function stopChild(child: ChildProcess, politely: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  politely();
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export function startOurs(maxConnections: number): Promise<BenchServer> {
  const child = fork(OURS_CHILD, [String(maxConnections)], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`built-in server child exited with ${code} while starting`));
    child.once("exit", onExit);
    child.on("message", (msg: { type: string; port?: number }) => {
      if (msg.type !== "ready" || !msg.port) return;
      child.off("exit", onExit);
      resolve({
        name: "built-in",
        version: "lib/signaling/server (this tree)",
        pid: child.pid ?? 0,
        port: msg.port,
        stats: () => ipcStats(child),
        stop: () => stopChild(child, () => child.send({ type: "stop" })),
      });
    });
  });
}

/** A port that was free a moment ago (soketi cannot report the one it picked). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}

/** Why soketi cannot run here, or null when it looks installed. */
export function soketiMissing(dir = SOKETI_DIR): string | null {
  if (!existsSync(soketiBin(dir)) || !existsSync(join(dir, ".installed"))) return `not installed in ${dir}`;
  return null;
}

export async function startSoketi(maxConnections: number, dir = SOKETI_DIR): Promise<BenchServer> {
  const missing = soketiMissing(dir);
  if (missing) throw new Error(missing);
  const [port, metricsPort, clusterPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH ?? "",
    SOKETI_HOST: "127.0.0.1",
    SOKETI_PORT: String(port),
    SOKETI_METRICS_ENABLED: "false",
    SOKETI_METRICS_HOST: "127.0.0.1",
    SOKETI_METRICS_SERVER_PORT: String(metricsPort),
    // soketi always starts UDP peer discovery (node-discover, reuseAddr), even
    // with the local adapter: a port of its own keeps it from meeting any
    // other soketi on this host (the conformance suite's, say).
    SOKETI_CLUSTER_PORT: String(clusterPort),
    SOKETI_DEFAULT_APP_ID: BENCH_APP.id,
    SOKETI_DEFAULT_APP_KEY: BENCH_APP.key,
    SOKETI_DEFAULT_APP_SECRET: BENCH_APP.secret,
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: "false",
    // The built-in server's limits, so both refuse and accept the same work:
    // connections (soketi's default: unlimited), and Pusher's 10 KB event
    // (soketi's default: 100 KB). Backend event rate: unlimited on both.
    SOKETI_DEFAULT_APP_MAX_CONNS: String(maxConnections),
    SOKETI_EVENT_MAX_SIZE_IN_KB: "10",
    SOKETI_SHUTDOWN_GRACE_PERIOD: "100",
  };
  const child = spawn(process.execPath, ["--expose-gc", "--require", SOKETI_PROBE, soketiBin(dir), "start"], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-2000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const lastLines = () =>
    output
      .replace(/\x1b\[[0-9;]*m/g, "") // ANSI colours
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(" | ");
  let spawnError: Error | null = null;
  child.once("error", (err) => (spawnError = err));
  const stop = () => stopChild(child, () => child.kill("SIGTERM"));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) throw new Error(`could not start node for soketi: ${(spawnError as Error).message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`soketi exited (${child.exitCode ?? child.signalCode}) while starting: ${lastLines() || "no output"}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`soketi did not answer on port ${port} within 30 s: ${lastLines() || "no output"}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const soketiVersion = packageVersion(join(dir, "node_modules", "@soketi", "soketi"));
  const uwsVersion = packageVersion(join(dir, "node_modules", "uWebSockets.js"));
  return {
    name: "soketi",
    version: `soketi ${soketiVersion}, uWebSockets.js ${uwsVersion} (uws-pack)`,
    pid: child.pid ?? 0,
    port,
    stats: () => ipcStats(child),
    stop,
  };
}
