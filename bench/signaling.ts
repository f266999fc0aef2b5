// Signaling benchmark: the built-in Pusher-protocol server against soketi,
// the named baseline, measured in the same run with the same workload. For
// each server, alone in a child process of its own, one after the other:
//
//   1. warm-up: 20 connections and 20 signals, then closed, so that code
//      loaded on first use is not counted as per-connection memory;
//   2. idle: full GC in the server, then its RSS (summed over its process tree);
//   3. connect N raw protocol-7 WebSocket connections (200 at a time), each
//      subscribed to its own private channel with a valid signature;
//   4. connected: full GC, RSS again; (connected - idle) / N is the memory
//      per connection;
//   5. latency: signals triggered through the signed HTTP API at a fixed
//      rate, each to a random one of the N channels; latency is from the
//      HTTP request being sent to the frame being received.
//
// The clients behave as pusher-js does: a socket that has received nothing
// for the server's announced activity_timeout sends pusher:ping (soketi
// announces 30 s, ours 120 s), and a pusher:ping from the server is answered.
//
//   npx tsx bench/signaling.ts [--connections 2000] [--rate 1000] [--duration 5] [--rounds 1]
//                              [--no-baseline] [--soketi-dir .soketi] [--json]
//
// Goals for ours on the 2-core reference machine: 10,000 connections within
// 1 GiB, p99 under 50 ms at 1,000 signals/s.

import { Agent } from "node:http";
import { cpus, loadavg } from "node:os";
import { resolve as resolvePath } from "node:path";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { channelAuth, triggerEvent, BENCH_APP } from "./signaling/protocol";
import { machineBusySeconds, openFilesLimit, treeCpuSeconds, treeRssBytes } from "./signaling/proc";
import { SOKETI_INSTALL_HINT, soketiMissing, startOurs, startSoketi, type BenchServer } from "./signaling/servers";

export interface SignalingBenchOptions {
  connections?: number;
  /** Signals per second during the latency phase. */
  rate?: number;
  durationSec?: number;
  json?: boolean;
  /** Measure soketi too (default true). */
  baseline?: boolean;
  /**
   * Measure each server this many times, alternating which goes first, and
   * report medians (default 1). On a shared machine 3 gives steadier ratios.
   */
  rounds?: number;
  /** Where soketi is installed (default .soketi/ at the repository root). */
  soketiDir?: string;
}

/** One server's figures. */
export interface ServerFigures {
  server: string;
  version: string;
  /** Processes in the server's tree when its RSS was read (1 for both today). */
  processes: number;
  /** The server process's soft limit on open files. */
  fdLimit: number;
  connections: number;
  connectSeconds: number;
  rssIdleMiB: number;
  rssConnectedMiB: number;
  rssPerConnectionKiB: number;
  heapPerConnectionKiB: number;
  signalsSent: number;
  signalsDelivered: number;
  /** Triggers refused: a non-200 status, a 200 with an error body (soketi), or a failed request. */
  httpErrors: number;
  /** TCP connections the load generator opened for the triggers (keep-alive pool of 64). */
  httpConnectionsOpened: number;
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Server CPU (user + system, whole tree) during the latency phase, % of one core. */
  serverCpuPercent: number;
  /** The load generator's CPU during the latency phase, % of one core. */
  clientCpuPercent: number;
  /**
   * CPU that every other process on the machine used during the latency
   * phase, % of one core (of the machine's cores x 100). Above ~20 the
   * machine was shared and latencies are noisy.
   */
  otherCpuPercent: number;
  /** pusher:ping frames the clients sent after activity_timeout of silence (0 when the run is short). */
  pingsSent: number;
  /** Sockets closed by the server during the run (should be 0). */
  socketsLost: number;
}

export interface SignalingGoals {
  /** Idle RSS + measured per-connection RSS x 10,000 (measured directly when N >= 10,000). */
  memoryWithin1GiBAt10k: boolean;
  /** p99 < 50 ms, with every signal delivered and no HTTP error. */
  p99Under50ms: boolean;
}

export type BaselineReport =
  | ({ name: "soketi"; available: true; runs?: ServerFigures[] } & ServerFigures)
  | { name: "soketi"; available: false; reason: string };

/** ours / soketi; below 1 means ours is better for every one of them (lower is better). */
export interface SignalingRatios {
  betterIs: "lower";
  rssPerConnection: number;
  heapPerConnection: number;
  latencyP50: number;
  latencyP99: number;
  connectTime: number;
  serverCpu: number;
}

export interface SignalingBenchReport {
  connections: number;
  rate: number;
  durationSec: number;
  /** With more than one, each figure is the median over the rounds (counts are totals), and `runs` holds every round. */
  rounds: number;
  machine: { cpus: number; loadAverage1m: number };
  ours: ServerFigures & { goals: SignalingGoals; runs?: ServerFigures[] };
  baseline: BaselineReport;
  ratios: SignalingRatios | null;
}

const CONNECT_CONCURRENCY = 200;
const WARMUP_CONNECTIONS = 20;
const HTTP_POOL = 64;
/** Descriptors beyond N that a process may need (HTTP pool, listeners, stdio, Node's own). */
const FD_HEADROOM = 256;
const MIB = 2 ** 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface BenchSocket {
  ws: WebSocket;
  channel: string;
  /** performance.now() of the last frame received, for the pusher-js-style ping. */
  lastRx: number;
  activityTimeoutMs: number;
  /** Closed on purpose by the bench (not counted as lost). */
  closing: boolean;
}

/** What one measurement's sockets share: latency samples, pings, unexpected closes. */
class ClientSide {
  readonly latencies: number[] = [];
  readonly sockets: BenchSocket[] = [];
  pingsSent = 0;
  socketsLost = 0;
  tearingDown = false;
  private readonly sweep = setInterval(() => this.pingSilent(), 1000);

  /** Opens one protocol connection and subscribes it to `channel`. */
  open(port: number, channel: string): Promise<BenchSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${BENCH_APP.key}?protocol=7&client=bench&version=1`, {
        perMessageDeflate: false,
      });
      const sock: BenchSocket = { ws, channel, lastRx: performance.now(), activityTimeoutMs: 120_000, closing: false };
      const timer = setTimeout(() => reject(new Error(`connection for ${channel} timed out`)), 30_000);
      ws.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.on("close", (code) => {
        clearTimeout(timer);
        reject(new Error(`connection for ${channel} closed with ${code}`));
        if (!this.tearingDown && !sock.closing) this.socketsLost += 1;
      });
      ws.on("message", (raw) => {
        sock.lastRx = performance.now();
        const text = raw.toString();
        // Hot path: signals carry their send time; parse only what is needed.
        if (text.startsWith('{"event":"signal"')) {
          const frame = JSON.parse(text) as { data: string };
          this.latencies.push(performance.now() - (JSON.parse(frame.data) as { t: number }).t);
          return;
        }
        const frame = JSON.parse(text) as { event: string; data?: string };
        if (frame.event === "pusher:connection_established") {
          const handshake = JSON.parse(frame.data ?? "{}") as { socket_id: string; activity_timeout?: number };
          // pusher-js: min(its own 120 s, the server's activity_timeout)
          sock.activityTimeoutMs = Math.min(120, handshake.activity_timeout ?? 120) * 1000;
          ws.send(JSON.stringify({ event: "pusher:subscribe", data: { channel, auth: channelAuth(handshake.socket_id, channel) } }));
        } else if (frame.event === "pusher_internal:subscription_succeeded") {
          clearTimeout(timer);
          resolve(sock);
        } else if (frame.event === "pusher:ping") {
          ws.send('{"event":"pusher:pong","data":{}}');
        } else if (frame.event === "pusher:error" || frame.event === "pusher:subscription_error") {
          clearTimeout(timer);
          reject(new Error(`connection for ${channel}: ${text}`));
        }
      });
    });
  }

  private pingSilent(): void {
    const now = performance.now();
    for (const s of this.sockets) {
      if (now - s.lastRx < s.activityTimeoutMs || s.ws.readyState !== WebSocket.OPEN) continue;
      s.ws.send('{"event":"pusher:ping","data":{}}');
      s.lastRx = now; // as pusher-js: then wait for the pong, do not ping again meanwhile
      this.pingsSent += 1;
    }
  }

  async closeAll(sockets: BenchSocket[]): Promise<void> {
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ws.readyState === WebSocket.CLOSED) return resolve();
            s.closing = true;
            s.ws.once("close", () => resolve());
            s.ws.terminate();
          }),
      ),
    );
  }

  dispose(): void {
    clearInterval(this.sweep);
    this.tearingDown = true;
    for (const s of this.sockets) s.ws.terminate();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function signalData(): string {
  return JSON.stringify({ t: performance.now(), kind: "ice", candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host" });
}

interface Phase {
  connections: number;
  rate: number;
  durationSec: number;
  log: (msg: string) => void;
}

/** The whole measurement against one running server. */
async function measure(server: BenchServer, phase: Phase): Promise<ServerFigures> {
  const { connections, rate, durationSec, log } = phase;
  const fdLimit = openFilesLimit(server.pid).soft;
  if (fdLimit < connections + FD_HEADROOM) {
    throw new Error(`${server.name}'s open-files limit is ${fdLimit}, it needs about ${connections + FD_HEADROOM}`);
  }
  const client = new ClientSide();
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_POOL, noDelay: true } as ConstructorParameters<typeof Agent>[0]);
  try {
    // 1. Warm-up, so first-use code and buffers are in the idle figure.
    const warm = await Promise.all(Array.from({ length: WARMUP_CONNECTIONS }, (_, i) => client.open(server.port, `private-warmup-${i}`)));
    await Promise.all(warm.map((s) => triggerEvent(server.port, agent, s.channel, "signal", signalData())));
    const warmDeadline = performance.now() + 2000;
    while (client.latencies.length < WARMUP_CONNECTIONS && performance.now() < warmDeadline) await sleep(20);
    await client.closeAll(warm);
    client.latencies.length = 0;
    await sleep(500);

    // 2. Idle.
    await server.stats(); // GC, so the idle figure is settled
    const idle = treeRssBytes(server.pid);
    const heapIdle = (await server.stats()).heapUsed;

    // 3. Connect N.
    log(`  ${server.name}: opening ${connections} connections...`);
    const connectStart = performance.now();
    let next = 0;
    const workers = Array.from({ length: Math.min(CONNECT_CONCURRENCY, connections) }, async () => {
      while (next < connections) {
        const index = next++;
        client.sockets.push(await client.open(server.port, `private-bench-${index}`));
      }
    });
    await Promise.all(workers);
    const connectSeconds = (performance.now() - connectStart) / 1000;

    // 4. Connected.
    await sleep(500);
    const connected = await server.stats();
    const open = client.sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
    if (open !== connections || (connected.connections !== null && connected.connections !== connections)) {
      throw new Error(`${open} sockets open, server reports ${connected.connections ?? "?"}, expected ${connections}`);
    }
    const rssConnected = treeRssBytes(server.pid);

    // 5. Latency at a fixed rate.
    log(`  ${server.name}: ${connections} connected in ${round(connectSeconds)} s; sending ${rate} signals/s for ${durationSec} s...`);
    const total = Math.round(rate * durationSec);
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    let sent = 0;
    let httpErrors = 0;
    const httpSockets = new WeakSet<object>();
    let httpConnectionsOpened = 0;
    const pending: Promise<void>[] = [];
    const serverCpu0 = treeCpuSeconds(server.pid);
    const clientCpu0 = process.cpuUsage();
    const machineCpu0 = machineBusySeconds();
    const sendStart = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - sendStart) / tickMs + 1) * perTick));
      while (sent < due) {
        const target = client.sockets[Math.floor(Math.random() * client.sockets.length)];
        if (!target) break;
        pending.push(
          triggerEvent(server.port, agent, target.channel, "signal", signalData()).then(
            (result) => {
              if (!result.ok) httpErrors += 1;
              if (result.socket && !httpSockets.has(result.socket)) {
                httpSockets.add(result.socket);
                httpConnectionsOpened += 1;
              }
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
    while (client.latencies.length < sent - httpErrors && performance.now() < settleDeadline) await sleep(20);
    const phaseSeconds = (performance.now() - sendStart) / 1000;
    const serverCpu = treeCpuSeconds(server.pid) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
    const otherCpu = Math.max(0, machineBusySeconds() - machineCpu0 - serverCpu - clientCpuSeconds);

    const sorted = [...client.latencies].sort((a, b) => a - b);
    return {
      server: server.name,
      version: server.version,
      processes: rssConnected.processes,
      fdLimit,
      connections,
      connectSeconds: round(connectSeconds, 2),
      rssIdleMiB: round(idle.bytes / MIB),
      rssConnectedMiB: round(rssConnected.bytes / MIB),
      rssPerConnectionKiB: round((rssConnected.bytes - idle.bytes) / connections / 1024, 2),
      heapPerConnectionKiB: round((connected.heapUsed - heapIdle) / connections / 1024, 2),
      signalsSent: sent,
      signalsDelivered: client.latencies.length,
      httpErrors,
      httpConnectionsOpened,
      achievedRate: round(sent / sendSeconds),
      latencyMs: {
        p50: round(percentile(sorted, 50), 2),
        p90: round(percentile(sorted, 90), 2),
        p99: round(percentile(sorted, 99), 2),
        max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
      },
      serverCpuPercent: round((serverCpu / phaseSeconds) * 100),
      clientCpuPercent: round((clientCpuSeconds / phaseSeconds) * 100),
      otherCpuPercent: round((otherCpu / phaseSeconds) * 100),
      pingsSent: client.pingsSent,
      socketsLost: client.socketsLost,
    };
  } finally {
    client.dispose();
    agent.destroy();
  }
}

async function measureAlone(start: () => Promise<BenchServer>, phase: Phase): Promise<ServerFigures> {
  const server = await start();
  try {
    return await measure(server, phase);
  } finally {
    await server.stop();
  }
}

function goalsFor(f: ServerFigures): SignalingGoals {
  const at10k = f.rssIdleMiB * MIB + f.rssPerConnectionKiB * 1024 * 10_000;
  return {
    memoryWithin1GiBAt10k: (f.connections >= 10_000 ? f.rssConnectedMiB * MIB : at10k) <= 2 ** 30,
    p99Under50ms: f.latencyMs.p99 < 50 && f.signalsDelivered === f.signalsSent && f.httpErrors === 0,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** One server's rounds as one set of figures: counts summed, everything else the median. */
function combine(runs: ServerFigures[]): ServerFigures {
  const [firstRun] = runs;
  if (!firstRun) throw new Error("no rounds to combine");
  if (runs.length === 1) return firstRun;
  const sum = (pick: (f: ServerFigures) => number) => runs.reduce((total, f) => total + pick(f), 0);
  const mid = (pick: (f: ServerFigures) => number) => round(median(runs.map(pick)), 2);
  return {
    ...firstRun,
    processes: Math.max(...runs.map((f) => f.processes)),
    connectSeconds: mid((f) => f.connectSeconds),
    rssIdleMiB: mid((f) => f.rssIdleMiB),
    rssConnectedMiB: mid((f) => f.rssConnectedMiB),
    rssPerConnectionKiB: mid((f) => f.rssPerConnectionKiB),
    heapPerConnectionKiB: mid((f) => f.heapPerConnectionKiB),
    signalsSent: sum((f) => f.signalsSent),
    signalsDelivered: sum((f) => f.signalsDelivered),
    httpErrors: sum((f) => f.httpErrors),
    httpConnectionsOpened: sum((f) => f.httpConnectionsOpened),
    achievedRate: mid((f) => f.achievedRate),
    latencyMs: {
      p50: mid((f) => f.latencyMs.p50),
      p90: mid((f) => f.latencyMs.p90),
      p99: mid((f) => f.latencyMs.p99),
      max: Math.max(...runs.map((f) => f.latencyMs.max)),
    },
    serverCpuPercent: mid((f) => f.serverCpuPercent),
    clientCpuPercent: mid((f) => f.clientCpuPercent),
    otherCpuPercent: mid((f) => f.otherCpuPercent),
    pingsSent: sum((f) => f.pingsSent),
    socketsLost: sum((f) => f.socketsLost),
  };
}

/** ours / theirs to 3 significant digits (a ratio can be far below 0.01). */
const ratio = (ours: number, theirs: number) => (theirs > 0 && Number.isFinite(ours) ? Number((ours / theirs).toPrecision(3)) : Number.NaN);

export async function runSignalingBench(opts: SignalingBenchOptions = {}): Promise<SignalingBenchReport> {
  const connections = opts.connections ?? 2000;
  const rate = opts.rate ?? 1000;
  const durationSec = opts.durationSec ?? 5;
  const log = (msg: string) => {
    if (!opts.json) console.log(msg);
  };
  const phase: Phase = { connections, rate, durationSec, log };

  // Every process involved (this one with N client sockets, and each server
  // with N server sockets) needs about N descriptors. Children inherit this
  // process's limit, so checking ours covers theirs; each server's is checked
  // again from /proc once it runs.
  const fds = openFilesLimit("self");
  if (fds.soft < connections + FD_HEADROOM) {
    throw new Error(
      `open-files limit is ${fds.soft} (hard ${fds.hard}); ${connections} connections need about ${connections + FD_HEADROOM}: ` +
        `run \`ulimit -n ${connections + FD_HEADROOM}\` in this shell first` +
        (fds.hard < connections + FD_HEADROOM ? " (above the hard limit: needs root or limits.conf)" : ""),
    );
  }

  const machine = { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2) };
  const rounds = opts.rounds ?? 1;
  log(
    `signaling bench: ${connections} connections, ${rate} signals/s for ${durationSec} s, ${rounds} round(s); ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m}`,
  );
  const oursRuns: ServerFigures[] = [];
  const soketiRuns: ServerFigures[] = [];
  let soketiUnavailable = opts.baseline === false ? "skipped (--no-baseline)" : soketiMissing(opts.soketiDir);
  let first = true;
  const pause = async () => {
    if (!first) await sleep(1000); // let the previous server's sockets finish closing
    first = false;
  };
  const runOurs = async () => {
    await pause();
    oursRuns.push(await measureAlone(() => startOurs(connections + 100), phase));
  };
  const runSoketi = async () => {
    if (soketiUnavailable) return;
    await pause();
    try {
      soketiRuns.push(await measureAlone(() => startSoketi(connections + 100, opts.soketiDir), phase));
    } catch (err) {
      soketiUnavailable = err instanceof Error ? err.message : String(err);
    }
  };
  for (let r = 0; r < rounds; r++) {
    if (rounds > 1) log(`  round ${r + 1} of ${rounds}`);
    // Alternate the order, so neither server always gets the quieter moment.
    if (r % 2 === 0) {
      await runOurs();
      await runSoketi();
    } else {
      await runSoketi();
      await runOurs();
    }
  }

  const oursFigures = combine(oursRuns);
  const ours = { ...oursFigures, goals: goalsFor(oursFigures), ...(rounds > 1 ? { runs: oursRuns } : {}) };
  const baseline: BaselineReport = soketiUnavailable
    ? { name: "soketi", available: false, reason: soketiUnavailable }
    : { name: "soketi", available: true, ...combine(soketiRuns), ...(rounds > 1 ? { runs: soketiRuns } : {}) };

  const ratios: SignalingRatios | null = baseline.available
    ? {
        betterIs: "lower",
        rssPerConnection: ratio(ours.rssPerConnectionKiB, baseline.rssPerConnectionKiB),
        heapPerConnection: ratio(ours.heapPerConnectionKiB, baseline.heapPerConnectionKiB),
        latencyP50: ratio(ours.latencyMs.p50, baseline.latencyMs.p50),
        latencyP99: ratio(ours.latencyMs.p99, baseline.latencyMs.p99),
        connectTime: ratio(ours.connectSeconds, baseline.connectSeconds),
        serverCpu: ratio(ours.serverCpuPercent, baseline.serverCpuPercent),
      }
    : null;

  const report: SignalingBenchReport = { connections, rate, durationSec, rounds, machine, ours, baseline, ratios };
  if (opts.json) console.log(JSON.stringify(report));
  else printReport(report);
  return report;
}

function verdict(r: number): string {
  if (!Number.isFinite(r)) return "";
  if (r < 0.95) return "ours better";
  if (r > 1.05) return "soketi better";
  return "about even";
}

function printReport(r: SignalingBenchReport): void {
  const o = r.ours;
  const b = r.baseline.available ? r.baseline : null;
  const cell = (s: string, width: number) => `${s}  `.padEnd(width);
  const row = (label: string, ours: string, theirs?: string | null, ratioValue?: number) => {
    let line = `  ${cell(label, 28)}${cell(ours, 26)}`;
    if (b) line += cell(theirs ?? "", 26);
    if (b && ratioValue !== undefined) line += `${cell(String(ratioValue), 8)}${verdict(ratioValue)}`;
    return line.trimEnd();
  };
  const lat = (f: ServerFigures) => `${f.latencyMs.p50} / ${f.latencyMs.p90} / ${f.latencyMs.p99} / ${f.latencyMs.max}`;
  const lines = [
    "",
    `Signaling: built-in Pusher-protocol server vs soketi (baseline), same workload, same run`,
    `  ${r.connections} connections on loopback, each subscribed to its own private channel; ${r.rate} signals/s for ${r.durationSec} s through the HTTP API`,
    `  each server alone in its own process; ${r.machine.cpus} cores, load average ${r.machine.loadAverage1m} at the start` +
      (r.rounds > 1 ? `; median of ${r.rounds} rounds in alternating order (counts are totals)` : ""),
    "",
    b ? `  ${cell("", 28)}${cell("ours (built-in)", 26)}${cell("soketi", 26)}ours/soketi (lower is better)` : `  ${cell("", 28)}ours (built-in)`,
    row("connect N", `${o.connectSeconds} s`, b && `${b.connectSeconds} s`, r.ratios?.connectTime),
    row("server RSS idle", `${o.rssIdleMiB} MiB`, b && `${b.rssIdleMiB} MiB`),
    row("server RSS connected", `${o.rssConnectedMiB} MiB`, b && `${b.rssConnectedMiB} MiB`),
    row("RSS per connection", `${o.rssPerConnectionKiB} KiB`, b && `${b.rssPerConnectionKiB} KiB`, r.ratios?.rssPerConnection),
    row("JS heap per connection", `${o.heapPerConnectionKiB} KiB`, b && `${b.heapPerConnectionKiB} KiB`, r.ratios?.heapPerConnection),
    row("signals delivered", `${o.signalsDelivered}/${o.signalsSent} at ${o.achievedRate}/s`, b && `${b.signalsDelivered}/${b.signalsSent} at ${b.achievedRate}/s`),
    row("HTTP errors", String(o.httpErrors), b && String(b.httpErrors)),
    row("HTTP connections opened", String(o.httpConnectionsOpened), b && String(b.httpConnectionsOpened)),
    row("latency p50", `${o.latencyMs.p50} ms`, b && `${b.latencyMs.p50} ms`, r.ratios?.latencyP50),
    row("latency p99", `${o.latencyMs.p99} ms`, b && `${b.latencyMs.p99} ms`, r.ratios?.latencyP99),
    row("p50/p90/p99/max ms", lat(o), b && lat(b)),
    row("server CPU, signal phase", `${o.serverCpuPercent} %`, b && `${b.serverCpuPercent} %`, r.ratios?.serverCpu),
    row("load generator CPU", `${o.clientCpuPercent} %`, b && `${b.clientCpuPercent} %`),
    row("other processes' CPU", `${o.otherCpuPercent} %`, b && `${b.otherCpuPercent} %`),
    row("pings sent / sockets lost", `${o.pingsSent} / ${o.socketsLost}`, b && `${b.pingsSent} / ${b.socketsLost}`),
    "",
  ];
  const busiest = Math.max(o.otherCpuPercent, b?.otherCpuPercent ?? 0);
  if (busiest > 20) {
    lines.push(`  NOTE: other processes used up to ${busiest} % of a core during a latency phase: the machine was shared, latencies are noisy`);
  }
  if (!r.baseline.available) {
    lines.push(`  baseline soketi: not available (${r.baseline.reason}; ${SOKETI_INSTALL_HINT})`, "");
  } else {
    lines.push(`  baseline: ${r.baseline.version}, ${r.baseline.processes} process(es), fd limit ${r.baseline.fdLimit}`);
  }
  const at10k = round((o.rssIdleMiB * MIB + o.rssPerConnectionKiB * 1024 * 10_000) / MIB);
  const memoryBasis = o.connections >= 10_000 ? `${o.rssConnectedMiB} MiB measured at ${o.connections}` : `${at10k} MiB extrapolated from ${o.connections}`;
  const lost = o.signalsSent - o.signalsDelivered;
  lines.push(
    `  goal (ours): 10k connections within 1 GiB      ${o.goals.memoryWithin1GiBAt10k ? "met" : "NOT met"} (${memoryBasis})`,
    `  goal (ours): p99 < 50 ms at 1,000 signals/s    ${o.goals.p99Under50ms ? "met" : "NOT met"} (p99 ${o.latencyMs.p99} ms at ${o.achievedRate}/s` +
      `${lost > 0 ? `, ${lost} lost` : ""}${o.httpErrors > 0 ? `, ${o.httpErrors} HTTP errors` : ""}${r.rate < 1000 ? "; below the goal's rate" : ""})`,
    "",
  );
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
    else if (flag === "--rounds") opts.rounds = Math.floor(value());
    else if (flag === "--no-baseline") opts.baseline = false;
    else if (flag === "--soketi-dir") opts.soketiDir = resolvePath(argv[++i] ?? "");
    else if (flag === "--json") opts.json = true;
    else {
      throw new Error(
        `unknown flag ${flag}; usage: tsx bench/signaling.ts [--connections N] [--rate N] [--duration S] [--rounds N] [--no-baseline] [--soketi-dir DIR] [--json]`,
      );
    }
  }
  return opts;
}

if (require.main === module) {
  runSignalingBench(parseCli(process.argv.slice(2))).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
