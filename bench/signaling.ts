// Signaling benchmark: N concurrent Pusher-protocol connections to the
// built-in server on loopback, each subscribed to a private channel with a
// valid signature; the server's resident memory per connection; and signal
// delivery latency (HTTP API trigger sent -> WebSocket frame received) at a
// fixed rate. The server runs in a child process so /proc/<pid>/status VmRSS
// is its memory alone.
//
//   npx tsx bench/signaling.ts [--connections 2000] [--rate 1000] [--duration 5] [--json]
//
// Goal on the 2-core reference machine: 10,000 connections within 1 GiB,
// p99 under 50 ms at 1,000 signals/s.

import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { channelAuth, triggerEvent, BENCH_APP } from "./signaling/protocol";

export interface SignalingBenchOptions {
  connections?: number;
  /** Signals per second during the latency phase. */
  rate?: number;
  durationSec?: number;
  json?: boolean;
}

export interface SignalingBenchReport {
  connections: number;
  connectSeconds: number;
  rssIdleMiB: number;
  rssConnectedMiB: number;
  rssPerConnectionKiB: number;
  heapPerConnectionKiB: number;
  signalsSent: number;
  signalsDelivered: number;
  httpErrors: number;
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  goals: { memoryWithin1GiBAt10k: boolean; p99Under50ms: boolean };
}

const CONNECT_CONCURRENCY = 200;
const CHILD = join(__dirname, "signaling", "server-child.ts");

interface ChildStats {
  stats: { connections: number; channels: number };
  heapUsed: number;
  rss: number;
}

function vmRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error("VmRSS not found in /proc status");
  return Number(match[1]) * 1024;
}

function startChild(maxConnections: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(CHILD, [String(maxConnections)], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server child exited with ${code}`)));
    child.on("message", (msg: { type: string; port?: number }) => {
      if (msg.type === "ready" && msg.port) resolve({ child, port: msg.port });
    });
  });
}

function childStats(child: ChildProcess): Promise<ChildStats> {
  return new Promise((resolve) => {
    const onMessage = (msg: { type: string } & ChildStats) => {
      if (msg.type !== "stats") return;
      child.off("message", onMessage);
      resolve(msg);
    };
    child.on("message", onMessage);
    child.send({ type: "stats" });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface BenchSocket {
  ws: WebSocket;
  channel: string;
}

/** Opens one protocol connection and subscribes it to its own private channel. */
function openSubscribed(port: number, index: number, onSignal: (sentAt: number) => void): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const channel = `private-bench-${index}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${BENCH_APP.key}?protocol=7&client=bench&version=1`, {
      perMessageDeflate: false,
    });
    const timer = setTimeout(() => reject(new Error(`connection ${index} timed out`)), 30_000);
    ws.on("error", reject);
    ws.on("message", (raw) => {
      const text = raw.toString();
      // Hot path: signals carry their send time; parse only what is needed.
      if (text.startsWith('{"event":"signal"')) {
        const frame = JSON.parse(text) as { data: string };
        onSignal((JSON.parse(frame.data) as { t: number }).t);
        return;
      }
      const frame = JSON.parse(text) as { event: string; data?: string };
      if (frame.event === "pusher:connection_established") {
        const socketId = (JSON.parse(frame.data ?? "{}") as { socket_id: string }).socket_id;
        ws.send(JSON.stringify({ event: "pusher:subscribe", data: { channel, auth: channelAuth(socketId, channel) } }));
      } else if (frame.event === "pusher_internal:subscription_succeeded") {
        clearTimeout(timer);
        resolve({ ws, channel });
      } else if (frame.event === "pusher:error" || frame.event === "pusher:subscription_error") {
        clearTimeout(timer);
        reject(new Error(`connection ${index}: ${text}`));
      }
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runSignalingBench(opts: SignalingBenchOptions = {}): Promise<SignalingBenchReport> {
  const connections = opts.connections ?? 2000;
  const rate = opts.rate ?? 1000;
  const durationSec = opts.durationSec ?? 5;
  const log = (msg: string) => {
    if (!opts.json) console.log(msg);
  };

  const { child, port } = await startChild(connections + 100);
  const sockets: BenchSocket[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64, noDelay: true } as ConstructorParameters<typeof Agent>[0]);
  try {
    await sleep(300);
    await childStats(child); // GC, so the idle figure is settled
    const rssIdle = vmRssBytes(child.pid ?? 0);
    const heapIdle = (await childStats(child)).heapUsed;

    const latencies: number[] = [];
    const onSignal = (sentAt: number) => latencies.push(performance.now() - sentAt);
    log(`signaling bench: opening ${connections} connections...`);
    const connectStart = performance.now();
    let next = 0;
    const workers = Array.from({ length: Math.min(CONNECT_CONCURRENCY, connections) }, async () => {
      while (next < connections) {
        const index = next++;
        sockets.push(await openSubscribed(port, index, onSignal));
      }
    });
    await Promise.all(workers);
    const connectSeconds = (performance.now() - connectStart) / 1000;
    await sleep(500);
    const connected = await childStats(child);
    if (connected.stats.connections !== connections) {
      throw new Error(`server reports ${connected.stats.connections} connections, expected ${connections}`);
    }
    const rssConnected = vmRssBytes(child.pid ?? 0);

    log(`signaling bench: ${connections} connected in ${round(connectSeconds)} s; sending ${rate} signals/s for ${durationSec} s...`);
    const total = Math.round(rate * durationSec);
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    let sent = 0;
    let httpErrors = 0;
    const pending: Promise<void>[] = [];
    const sendStart = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - sendStart) / tickMs + 1) * perTick));
      while (sent < due) {
        const target = sockets[Math.floor(Math.random() * sockets.length)];
        if (!target) break;
        const data = JSON.stringify({ t: performance.now(), kind: "ice", candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host" });
        pending.push(
          triggerEvent(port, agent, target.channel, "signal", data).then(
            (status) => {
              if (status !== 200) httpErrors += 1;
            },
            () => {
              httpErrors += 1;
            },
          ),
        );
        sent += 1;
      }
      await sleep(tickMs);
    }
    const sendSeconds = (performance.now() - sendStart) / 1000;
    await Promise.all(pending);
    const settleDeadline = performance.now() + 5000;
    while (latencies.length < sent - httpErrors && performance.now() < settleDeadline) await sleep(20);

    const sorted = [...latencies].sort((a, b) => a - b);
    const rssPerConnection = (rssConnected - rssIdle) / connections;
    const report: SignalingBenchReport = {
      connections,
      connectSeconds: round(connectSeconds, 2),
      rssIdleMiB: round(rssIdle / 2 ** 20),
      rssConnectedMiB: round(rssConnected / 2 ** 20),
      rssPerConnectionKiB: round(rssPerConnection / 1024, 2),
      heapPerConnectionKiB: round((connected.heapUsed - heapIdle) / connections / 1024, 2),
      signalsSent: sent,
      signalsDelivered: latencies.length,
      httpErrors,
      achievedRate: round(sent / sendSeconds),
      latencyMs: {
        p50: round(percentile(sorted, 50), 2),
        p90: round(percentile(sorted, 90), 2),
        p99: round(percentile(sorted, 99), 2),
        max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
      },
      goals: {
        // Extrapolated from the measured per-connection cost when run below 10k.
        memoryWithin1GiBAt10k: rssIdle + rssPerConnection * 10_000 <= 2 ** 30,
        p99Under50ms: percentile(sorted, 99) < 50,
      },
    };
    if (opts.json) console.log(JSON.stringify(report));
    else printReport(report);
    return report;
  } finally {
    for (const s of sockets) s.ws.terminate();
    agent.destroy();
    child.send({ type: "stop" });
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(3000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function printReport(r: SignalingBenchReport): void {
  const lines = [
    "",
    "Signaling (built-in Pusher-protocol server, loopback, server in its own process)",
    `  connections                ${r.connections} (opened in ${r.connectSeconds} s)`,
    `  server RSS idle            ${r.rssIdleMiB} MiB`,
    `  server RSS connected       ${r.rssConnectedMiB} MiB`,
    `  RSS per connection         ${r.rssPerConnectionKiB} KiB  (JS heap: ${r.heapPerConnectionKiB} KiB)`,
    `  signals                    ${r.signalsDelivered}/${r.signalsSent} delivered at ${r.achievedRate}/s, ${r.httpErrors} HTTP errors`,
    `  delivery latency           p50 ${r.latencyMs.p50} ms   p90 ${r.latencyMs.p90} ms   p99 ${r.latencyMs.p99} ms   max ${r.latencyMs.max} ms`,
    `  goal: 10k conns in 1 GiB   ${r.goals.memoryWithin1GiBAt10k ? "met" : "NOT met"}${r.connections < 10_000 ? " (extrapolated)" : ""}`,
    `  goal: p99 < 50 ms          ${r.goals.p99Under50ms ? "met" : "NOT met"}`,
    "",
  ];
  console.log(lines.join("\n"));
}

function parseCli(argv: string[]): SignalingBenchOptions {
  const opts: SignalingBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    if (flag === "--connections") opts.connections = Math.floor(value());
    else if (flag === "--rate") opts.rate = value();
    else if (flag === "--duration") opts.durationSec = value();
    else if (flag === "--json") opts.json = true;
    else throw new Error(`unknown flag ${flag}; usage: tsx bench/signaling.ts [--connections N] [--rate N] [--duration S] [--json]`);
  }
  return opts;
}

if (require.main === module) {
  runSignalingBench(parseCli(process.argv.slice(2))).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
