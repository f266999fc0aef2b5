import { readdirSync, readFileSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { makeTempDir } from "../../../support/temp-dir";
import { CHROMIUM_ARGS, chromiumPath } from "../chromium";
import { RECORD_PEER_CONNECTIONS } from "../peer-connections";
import { processTree } from "../people";

// A person's browser on a profile kept on disk, as a real one is: it can be
// frozen (SIGSTOP), killed outright (SIGKILL, no chance to clean up) and
// started again on the same profile, IndexedDB and cookies included.


/**
 * `npm run soak` runs under tsx, whose esbuild keeps function names by
 * wrapping each named function in a call to a helper, __name, that exists in
 * Node and not in the page: every function handed to page.evaluate would
 * throw there. The page gets a __name that changes nothing. (Jest's
 * transform adds no such calls.)
 */
export const KEEP_NAMES_SHIM = "globalThis.__name = globalThis.__name || ((fn) => fn);";

export class ProfileBrowser {
  private context: BrowserContext | null = null;
  private readonly profile = makeTempDir("profile");
  page!: Page;

  constructor(readonly nickname: string) {}

  async launch(): Promise<void> {
    this.context = await chromium.launchPersistentContext(this.profile.dir, { executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true, viewport: { width: 1200, height: 900 } });
    await this.context.addInitScript(RECORD_PEER_CONNECTIONS);
    await this.context.addInitScript(KEEP_NAMES_SHIM);
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
  }

  /** The browser's own process and everything it spawned, found by the profile it runs on. */
  pids(): number[] {
    const flag = `--user-data-dir=${this.profile.dir}`;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (args.includes(flag) && !args.some((a) => a.startsWith("--type="))) return processTree(Number(entry));
      } catch {
        // gone while we looked
      }
    }
    return [];
  }

  freeze(): { thaw: () => void } {
    const pids = this.pids();
    if (pids.length === 0) throw new Error(`no Chromium process for ${this.nickname} to freeze`);
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    return { thaw: () => pids.forEach((pid) => process.kill(pid, "SIGCONT")) };
  }

  /** SIGKILL, as a crash or a power cut: the profile stays, nothing is shut down cleanly. */
  kill(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.context = null;
  }

  /** Closes the one page's RTCPeerConnections that are connected; how many it closed. */
  async cutConnections(): Promise<number> {
    return this.page.evaluate(() => {
      const all = (window as unknown as { __peerConnections?: RTCPeerConnection[] }).__peerConnections ?? [];
      const live = all.filter((pc) => pc.connectionState === "connected");
      for (const pc of live) pc.close();
      return live.length;
    });
  }

  async close(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    this.context = null;
    this.profile.remove();
  }
}
