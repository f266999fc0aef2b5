// What the benchmark reads from /proc (Linux only): a server's resident
// memory and CPU time summed over its process tree, and descriptor limits.
// A server is measured as the tree rooted at the process the bench started,
// so a server that forked workers would be counted whole. Neither server
// does today: ours is one process, and soketi is one node process whose
// uWebSockets.js event loop runs on the main thread (its other threads are
// Node's own, and threads share the process's RSS).

import { readdirSync, readFileSync } from "node:fs";

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may hold spaces. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null; // exited meanwhile
  }
}

/** `root` and every live descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1] ?? Number.NaN); // field 4: ppid
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function vmRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the whole tree, in bytes, and how many processes it is. */
export function treeRssBytes(root: number): { bytes: number; processes: number } {
  const pids = processTree(root);
  const bytes = pids.reduce((sum, pid) => sum + vmRssBytes(pid), 0);
  if (bytes === 0) throw new Error(`no VmRSS for process ${root} (has it exited?)`);
  return { bytes, processes: pids.length };
}

/** User + system CPU time of the whole tree, in seconds (the kernel's 100 Hz ticks). */
export function treeCpuSeconds(root: number): number {
  const TICKS_PER_SECOND = 100; // USER_HZ; fixed at 100 on Linux for /proc
  let ticks = 0;
  for (const pid of processTree(root)) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]); // fields 14 and 15: utime, stime
  }
  return ticks / TICKS_PER_SECOND;
}

/** The soft and hard "Max open files" of a process (`self` for this one). */
export function openFilesLimit(pid: number | "self"): { soft: number; hard: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, "utf8");
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  const parse = (v: string | undefined) => (v === "unlimited" || v === undefined ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: parse(match?.[1]), hard: parse(match?.[2]) };
}

/** CPU time all processes on the machine have used since boot, in seconds (/proc/stat). */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) / 100;
}
