// Runs once after every project's tests, in Jest's own process. A timer,
// socket or child process a test leaves open keeps that process alive after
// the summary, and CI would wait for it until its time limit. So: if Jest is
// still here a while after the run, fail loudly instead of hanging, naming
// what is still open (a CI log is all there is to go on). The timer is
// unref'd, so it never is the thing that keeps the process alive.
//
// The grace is longer than the longest bounded wait a library keeps after a test: pusher-js's
// Node transport (faye-websocket) arms a 30 s close timer when the server
// ends a socket (a revoked device's, in routes/signal.test.ts) and never
// clears it. What this guard is for is what never ends.
const GRACE_MS = 45_000;

/** One line per handle that keeps the event loop alive, as specific as Node lets us be. */
export function describeOpenHandles(): string[] {
  // `_getActiveHandles` is undocumented but stable since Node 0.x; the
  // documented `getActiveResourcesInfo` only gives type names.
  const getHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  const handles = typeof getHandles === "function" ? getHandles.call(process) : [];
  const lines: string[] = [];
  for (const handle of handles) {
    const h = handle as Record<string, unknown> & { constructor?: { name?: string } };
    const kind = h.constructor?.name ?? typeof handle;
    if (h === (process.stdout as unknown) || h === (process.stderr as unknown) || h === (process.stdin as unknown)) continue;
    if (typeof h.hasRef === "function" && !(h.hasRef as () => boolean).call(h)) continue;
    if (Array.isArray(h.spawnargs)) {
      lines.push(`child process ${h.pid ?? "?"}: ${(h.spawnargs as string[]).join(" ")}`);
    } else if (typeof h.address === "function" && typeof h.listen === "function") {
      lines.push(`server listening on ${JSON.stringify((h.address as () => unknown).call(h))}`);
    } else if (typeof h.send === "function" && typeof h.bind === "function" && typeof h.address === "function") {
      // A dgram socket: remoteAddress is a method there, and an unbound one has no address yet.
      let bound = "not bound";
      try {
        bound = JSON.stringify((h.address as () => unknown).call(h));
      } catch {
        // address() throws until bind completes.
      }
      lines.push(`UDP socket ${bound}`);
    } else if (kind === "Socket" || kind === "TLSSocket") {
      const remote = h.remoteAddress ? `${String(h.remoteAddress)}:${String(h.remotePort)}` : "no remote (a pipe)";
      lines.push(`${kind} to ${remote}`);
    } else {
      lines.push(kind);
    }
  }
  // Timers are not handles since Node 11: they show only here, counted by type.
  const resources = (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.() ?? [];
  lines.push(`active resources by type: ${resources.join(", ") || "none"}`);
  return lines;
}

export default async function exitGuard(globalConfig: { watch?: boolean; watchAll?: boolean }): Promise<void> {
  // In watch mode Jest is meant to stay.
  if (globalConfig.watch || globalConfig.watchAll) return;
  setTimeout(() => {
    process.stderr.write(
      `\nJest was still running ${GRACE_MS / 1000} s after the last test: a test left a timer, socket or process open.\n` +
        "Still open:\n" +
        describeOpenHandles()
          .map((line) => `  - ${line}\n`)
          .join("") +
        "Find it with: npx jest --runInBand --detectOpenHandles <test file>\n",
    );
    process.exit(1);
  }, GRACE_MS).unref();
}
