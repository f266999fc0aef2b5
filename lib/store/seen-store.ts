import { idbDelete, idbGet, idbGetAll, idbPut, transact, type StoreName } from "./idb";

// Dedupe of received messages, per sending nickname (so one peer cannot
// suppress another's message by reusing its id). An entry is written in the
// same transaction as the message itself, before the ack goes out: a
// retransmitted message is acknowledged again but stored only once.

export interface SeenEntry {
  account: string;
  peer: string;
  id: string;
  at: number;
}

/** How long ids are remembered: far longer than any retransmission. */
export const SEEN_TTL_MS = 30 * 24 * 60 * 60_000;

/**
 * Runs `store` (writing to `stores` in the same transaction) only the first
 * time (peer, id) is seen; returns whether it ran.
 */
export async function storeOnce(
  entry: SeenEntry,
  stores: StoreName[],
  store: (tx: IDBTransaction) => Promise<unknown>,
): Promise<boolean> {
  return transact(["seen", ...stores], "readwrite", async (tx) => {
    if (await idbGet(tx, "seen", [entry.account, entry.peer, entry.id])) return false;
    await store(tx);
    await idbPut(tx, "seen", entry);
    return true;
  });
}

export async function pruneSeen(account: string, now: number): Promise<number> {
  return transact(["seen"], "readwrite", async (tx) => {
    const old = await idbGetAll<SeenEntry>(tx, "seen", IDBKeyRange.bound([account, -Infinity], [account, now - SEEN_TTL_MS]), "byTime");
    for (const entry of old) await idbDelete(tx, "seen", [entry.account, entry.peer, entry.id]);
    return old.length;
  });
}
