// The last line of clean-up: every process this bench started (its
// descendants, snapshotted while they are still attached to us) that is still
// alive after the orderly shutdown is ended by its id: SIGTERM, then SIGKILL.
// A process is identified by pid and start time, so a reused pid is never hit.

import { readFileSync } from "node:fs";
import { processTree } from "../signaling/proc";

export interface ProcId {
  pid: number;
  startTicks: string;
}

function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null; // field 22: starttime
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/**
 * This process's descendants, now, except esbuild's service process, which
 * belongs to tsx and esbuild in this process (and may still be needed by
 * whatever runs after this bench in the same process).
 */
export function descendants(): ProcId[] {
  return processTree(process.pid)
    .filter((pid) => pid !== process.pid && !/[\\/]esbuild\b/.test(cmdline(pid)))
    .map((pid) => ({ pid, startTicks: startTicks(pid) }))
    .filter((p): p is ProcId => p.startTicks !== null);
}

function state(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3); // field 3
  } catch {
    return "";
  }
}

/** Still running: same start time, and not a zombie waiting for its parent to reap it. */
const alive = (p: ProcId) => startTicks(p.pid) === p.startTicks && state(p.pid) !== "Z";

function signal(p: ProcId, sig: NodeJS.Signals): void {
  try {
    if (alive(p)) process.kill(p.pid, sig);
  } catch {
    // gone meanwhile
  }
}

/** Ends those of `procs` still running; returns their command names. */
export async function endLeftovers(procs: ProcId[], graceMs = 3000): Promise<string[]> {
  const left = procs.filter(alive);
  if (left.length === 0) return [];
  const names = left.map((p) => cmdline(p.pid).split(" ").slice(0, 3).join(" ").slice(0, 80));
  for (const p of left) signal(p, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && left.some(alive)) await new Promise((r) => setTimeout(r, 100));
  for (const p of left) signal(p, "SIGKILL");
  return names;
}
