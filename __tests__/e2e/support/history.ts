// A history written straight into a page's IndexedDB (the store and record
// shape lib/store/history-store.ts reads), for tests and the benchmark that
// need a long conversation without sending every message of it.
//
// Each function is serialised into the page by page.evaluate: it must not use
// anything from this module's scope, only its argument.

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
