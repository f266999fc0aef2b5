// A long history for the chat benchmark: messages written straight into the
// page's IndexedDB (the store and record shape lib/store/history-store.ts
// reads), older than anything the pair has sent, so the conversation opens
// with them as its past. And the page's JS heap, after a full collection.
//
// seedHistory is serialised into the page by page.evaluate: it must not use
// anything from this module's scope, only its argument.

import type { CDPSession, Page } from "playwright-core";

export interface SeedArgs {
  account: string;
  peer: string;
  count: number;
  /** Time of the newest seeded message; the others go back one second each. */
  newestAt: number;
  size: number;
}

/** Writes `count` messages (alternating in and out, all delivered or received) in one transaction; resolves with the ms it took. */
export async function seedHistory(args: SeedArgs): Promise<number> {
  const t0 = performance.now();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open("communisp");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const body = "history ".padEnd(args.size, "abcdefghijklmnopqrstuvwxyz0123456789 ");
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(["messages"], "readwrite", { durability: "relaxed" });
      const store = tx.objectStore("messages");
      for (let i = 0; i < args.count; i++) {
        const out = i % 2 === 0;
        store.put({
          account: args.account,
          id: `seed-${args.peer}-${String(i).padStart(6, "0")}`,
          peer: args.peer,
          direction: out ? "out" : "in",
          text: `${i} ${body}`.slice(0, args.size),
          at: args.newestAt - (args.count - 1 - i) * 1000,
          status: out ? "delivered" : "received",
        });
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
  return performance.now() - t0;
}

/** The oldest `at` in the page's history of a conversation (where seeding goes before), or now. */
export async function oldestAt(args: { account: string; peer: string }): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open("communisp");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const range = IDBKeyRange.bound([args.account, args.peer, -Infinity], [args.account, args.peer, Infinity]);
      const request = db.transaction(["messages"]).objectStore("messages").index("byConversation").openCursor(range);
      request.onsuccess = () => resolve((request.result?.value as { at: number } | undefined)?.at ?? Date.now());
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

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

/** Messages in the page's history of a conversation. */
export async function countHistory(args: { account: string; peer: string }): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open("communisp");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const range = IDBKeyRange.bound([args.account, args.peer, -Infinity], [args.account, args.peer, Infinity]);
      const request = db.transaction(["messages"]).objectStore("messages").index("byConversation").count(range);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}
