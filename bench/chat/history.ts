// A long history for the chat benchmark (seeded with
// __tests__/e2e/support/history.ts), the page's JS heap after a full
// collection, and scrolling back through the history.

import type { CDPSession, Page } from "playwright-core";

export { countHistory, oldestAt, seedHistory } from "../../__tests__/e2e/support/history";

/** The page's JS heap in bytes, after a full garbage collection. */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number };
  await cdp.send("HeapProfiler.disable");
  return usedSize;
}

/**
 * Scrolls the open conversation up until `count` messages are loaded (pages
 * come from IndexedDB as the top is reached); resolves with how many are.
 */
export async function scrollBackTo(page: Page, count: number, timeoutMs = 60_000): Promise<number> {
  return page.evaluate(
    async ({ count, timeoutMs }) => {
      const log = document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]');
      if (!log) throw new Error("in page: no open conversation");
      const painted = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const end = performance.now() + timeoutMs;
      while (Number(log.dataset.count) < count && log.dataset.hasOlder === "true") {
        if (performance.now() > end) throw new Error(`in page: only ${log.dataset.count} of ${count} messages loaded in ${timeoutMs} ms`);
        log.scrollTop = 0;
        await painted();
      }
      return Number(log.dataset.count);
    },
    { count, timeoutMs },
  );
}
