import { accountRange, idbCount, idbDelete, idbGetAll, idbPut, transact } from "@/lib/store/idb";

// Sealed records at rest on the home relay. Each is opaque to this device:
// only the log passphrase opens it.

export interface LogEntry {
  account: string;
  /** Monotonic per account: arrival order. */
  seq: number;
  sealed: Uint8Array;
  at: number;
}

let lastSeq = 0;
/** Time-based and strictly increasing within this tab, so a reload never reuses a sequence number. */
export function nextSeq(now: number): number {
  lastSeq = Math.max(lastSeq + 1, now * 1000);
  return lastSeq;
}

/** Writes inside a caller's transaction (the receive path stores and marks seen atomically). */
export const appendLog = (tx: IDBTransaction, entry: LogEntry) => idbPut(tx, "logs", entry);

export const countLogs = (account: string) => transact(["logs"], "readonly", (tx) => idbCount(tx, "logs", accountRange(account)));

/** Records in arrival order, `limit` at a time after `afterSeq`, for streaming without loading them all. */
export async function readLogs(account: string, afterSeq: number, limit: number): Promise<LogEntry[]> {
  const range = IDBKeyRange.bound([account, afterSeq], [account, []], true, false);
  return transact(["logs"], "readonly", (tx) => idbGetAll<LogEntry>(tx, "logs", range, undefined, limit));
}

export async function clearLogs(account: string): Promise<number> {
  return transact(["logs"], "readwrite", async (tx) => {
    const count = await idbCount(tx, "logs", accountRange(account));
    await idbDelete(tx, "logs", accountRange(account));
    return count;
  });
}
