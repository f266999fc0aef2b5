// Where the CPU goes during one retrieval, read from outside the app:
//   - each page's renderer main thread, from the DevTools Performance domain
//     (script, style, layout, all tasks), and
//   - each process tree's CPU time from /proc: the two Chromium processes,
//     the app server (everything else this bench started), and the rest of
//     the machine (other people's work on a shared machine shows up there).

import type { CDPSession, Page } from "playwright-core";
import { machineBusySeconds, treeCpuSeconds } from "../signaling/proc";

export interface MainThread {
  taskMs: number;
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
}

const zero: MainThread = { taskMs: 0, scriptMs: 0, styleMs: 0, layoutMs: 0 };

export class PageMetrics {
  private constructor(private readonly cdp: CDPSession) {}

  static async attach(page: Page): Promise<PageMetrics> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    return new PageMetrics(cdp);
  }

  async read(): Promise<MainThread> {
    const { metrics } = await this.cdp.send("Performance.getMetrics");
    const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { taskMs: get("TaskDuration"), scriptMs: get("ScriptDuration"), styleMs: get("RecalcStyleDuration"), layoutMs: get("LayoutDuration") };
  }

  async detach(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}

export const diffMain = (a: MainThread, b: MainThread): MainThread => ({
  taskMs: b.taskMs - a.taskMs,
  scriptMs: b.scriptMs - a.scriptMs,
  styleMs: b.styleMs - a.styleMs,
  layoutMs: b.layoutMs - a.layoutMs,
});

export const addMain = (a: MainThread = zero, b: MainThread = zero): MainThread => ({
  taskMs: a.taskMs + b.taskMs,
  scriptMs: a.scriptMs + b.scriptMs,
  styleMs: a.styleMs + b.styleMs,
  layoutMs: a.layoutMs + b.layoutMs,
});

/** CPU seconds, per party. */
export interface CpuSplit {
  phoneSec: number;
  homeSec: number;
  /** The app server (signaling, API) and this bench's own Node process. */
  serverAndBenchSec: number;
  /** Everything else on the machine. */
  otherSec: number;
  wallSec: number;
  cores: number;
}

export class CpuMeter {
  private start = { phone: 0, home: 0, ours: 0, machine: 0, wall: 0 };

  constructor(
    private readonly phonePid: number,
    private readonly homePid: number,
    private readonly cores: number,
  ) {}

  private read() {
    const phone = treeCpuSeconds(this.phonePid);
    const home = treeCpuSeconds(this.homePid);
    // Our whole tree: this process, the app server, both Chromium processes.
    const ours = treeCpuSeconds(process.pid);
    return { phone, home, ours, machine: machineBusySeconds(), wall: performance.now() / 1000 };
  }

  begin(): void {
    this.start = this.read();
  }

  end(): CpuSplit {
    const now = this.read();
    const phoneSec = now.phone - this.start.phone;
    const homeSec = now.home - this.start.home;
    const oursSec = now.ours - this.start.ours;
    return {
      phoneSec,
      homeSec,
      serverAndBenchSec: Math.max(0, oursSec - phoneSec - homeSec),
      otherSec: Math.max(0, now.machine - this.start.machine - oursSec),
      wallSec: now.wall - this.start.wall,
      cores: this.cores,
    };
  }
}

/**
 * Waits (at most `maxWaitMs`) until the rest of the machine has used less
 * than `maxCores` for two consecutive seconds, so that a measured run does
 * not start while someone else's build or benchmark holds the CPU. Returns
 * how long it waited; a run that starts anyway is flagged by its CpuSplit.
 */
export async function waitForQuiet(maxWaitMs = 120_000, maxCores = 0.25, onWait?: (otherCores: number) => void): Promise<number> {
  const start = performance.now();
  let quietSeconds = 0;
  let warned = false;
  while (quietSeconds < 2 && performance.now() - start < maxWaitMs) {
    const machine0 = machineBusySeconds();
    const ours0 = treeCpuSeconds(process.pid);
    await new Promise((r) => setTimeout(r, 1000));
    const other = machineBusySeconds() - machine0 - (treeCpuSeconds(process.pid) - ours0);
    if (other < maxCores) quietSeconds += 1;
    else {
      quietSeconds = 0;
      if (!warned) onWait?.(other);
      warned = true;
    }
  }
  return performance.now() - start;
}
