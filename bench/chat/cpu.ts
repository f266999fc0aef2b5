// CPU time of the benchmark's processes, from /proc (Linux only): each
// Chromium process tree split by process type (renderer, GPU, browser,
// network service...), the app server, and everything else on the machine.
// Deltas are taken per process, so one that exits during a measurement (a
// closed context's renderer) does not make a total go down; its CPU in the
// interval is simply not counted.

import { readFileSync } from "node:fs";
import { machineBusySeconds, processTree } from "../signaling/proc";

const TICKS_PER_SECOND = 100;

function ownCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null; // exited meanwhile
  }
}

/** Chromium rewrites its command line as one space-separated title; either way, find --type=. */
function chromiumProcessType(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
    const type = args.find((a) => a.startsWith("--type="))?.slice("--type=".length);
    if (!type) return "browser";
    const sub = args.find((a) => a.startsWith("--utility-sub-type="))?.slice("--utility-sub-type=".length);
    if (type === "utility" && sub) return sub.split(".")[0]!; // e.g. "network", "storage"
    return type === "gpu-process" ? "gpu" : type;
  } catch {
    return "gone";
  }
}

export interface CpuSnapshot {
  /** pid → [group, CPU seconds]; groups are "0:<type>" / "1:<type>" (alice's / bob's Chromium), "self", "server". */
  processes: Map<number, [string, number]>;
  machine: number;
  at: number;
}

export function cpuSnapshot(chromiumRoots: number[]): CpuSnapshot {
  const processes = new Map<number, [string, number]>();
  chromiumRoots.forEach((root, i) => {
    for (const pid of processTree(root)) {
      const cpu = ownCpuSeconds(pid);
      if (cpu !== null) processes.set(pid, [`${i}:${chromiumProcessType(pid)}`, cpu]);
    }
  });
  // Everything else under this process is the app server (tsx and the Node process it starts).
  for (const pid of processTree(process.pid)) {
    if (processes.has(pid)) continue;
    const cpu = ownCpuSeconds(pid);
    if (cpu !== null) processes.set(pid, [pid === process.pid ? "self" : "server", cpu]);
  }
  return { processes, machine: machineBusySeconds(), at: performance.now() };
}

export interface CpuUse {
  /** CPU ms per process type of each Chromium (alice's, bob's). */
  chromiumMs: Record<string, number>[];
  /** The app server (Next + signaling), ms. */
  serverMs: number;
  /** Every other process on the machine, ms (shared-machine noise). */
  otherMs: number;
  wallMs: number;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const groups = new Map<string, number>();
  let ours = 0;
  for (const [pid, [group, after]] of b.processes) {
    // A process that started in between is counted from zero.
    const ms = (after - (a.processes.get(pid)?.[1] ?? 0)) * 1000;
    groups.set(group, (groups.get(group) ?? 0) + ms);
    ours += ms;
  }
  const chromiumMs = [0, 1].map((i) => {
    const out: Record<string, number> = {};
    for (const [group, ms] of groups) if (group.startsWith(`${i}:`) && ms > 0) out[group.slice(2)] = ms;
    return out;
  });
  const otherMs = Math.max(0, (b.machine - a.machine) * 1000 - ours);
  return { chromiumMs, serverMs: groups.get("server") ?? 0, otherMs, wallMs: b.at - a.at };
}
