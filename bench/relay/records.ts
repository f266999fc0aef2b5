// Filling the home relay's log with N sealed records, realistically but
// quickly: the records are what lib/relay/sealed-sink.ts writes for received
// chat messages (256-byte texts from a few senders), sealed in Node with the
// same lib/crypto calls and encodeLogRecord() in worker threads (version 2:
// epochs rolled over by count and by the records' receive times, as the sink
// does; each worker's slice starts a new epoch, as a reload would; or version
// 1 with seal()), and put into the home page's IndexedDB `logs` store, where
// the home relay reads them from.

import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Page } from "playwright-core";
import type { LogPublicBundle } from "../../lib/crypto";
import type { LogRecord } from "../../lib/relay/log-records";
import { nameShim } from "./shim";

export const TEXT_BYTES = 256;
const SENDERS = ["bob", "carol", "dave", "erin"] as const;
const WORDS = "the concert starts at eight so meet me by the river gate and bring the tickets plus a warm coat because evenings get cold near water".split(" ");

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A 256-byte ASCII text, different for every record. */
function text(i: number): string {
  let s = `#${i}:`;
  for (let w = i; s.length < TEXT_BYTES; w = (w * 7 + 3) % 1009) s += ` ${WORDS[w % WORDS.length]}`;
  return s.slice(0, TEXT_BYTES);
}

/** N log records, oldest first, as the home relay would have received them from four senders. */
export function makeRecords(n: number, startAt = Date.now() - n * 60_000): LogRecord[] {
  const devices = SENDERS.map(() => `c${Buffer.from(randomBytes(12)).toString("hex").slice(0, 24)}`);
  return Array.from({ length: n }, (_, i) => {
    const sentAt = startAt + i * 60_000 + (i % 7) * 1000;
    return { v: 1, id: base64url(randomBytes(16)), from: SENDERS[i % SENDERS.length]!, fromDevice: devices[i % SENDERS.length]!, sentAt, receivedAt: sentAt + 150, text: text(i) };
  });
}

/** Seals every record as the home would (format 2) or as it did before epochs (format 1), split over worker threads (one per core). */
export async function sealRecords(records: LogRecord[], logPublicKey: string, format: 1 | 2 = 2): Promise<Uint8Array[]> {
  const workers = Math.max(1, Math.min(cpus().length, 4, Math.ceil(records.length / 500)));
  const per = Math.ceil(records.length / workers);
  const file = path.join(__dirname, "seal-worker.ts");
  // Workers do not inherit tsx's loader: register it first, then load the TypeScript worker.
  const boot = `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register(); require(${JSON.stringify(file)});`;
  const slices = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const slice = records.slice(w * per, (w + 1) * per);
      return new Promise<Uint8Array[]>((resolve, reject) => {
        const worker = new Worker(boot, { eval: true, workerData: { logPublicKey, records: slice, format } });
        worker.once("message", (sealed: Uint8Array[]) => {
          resolve(sealed);
          void worker.terminate();
        });
        worker.once("error", reject);
        worker.once("exit", (code) => code !== 0 && reject(new Error(`seal worker exited with ${code}`)));
      });
    }),
  );
  return slices.flat();
}

/** The home's public log bundle, read from its IndexedDB `settings` store. */
export async function readLogBundle(page: Page, account: string): Promise<LogPublicBundle> {
  await nameShim(page);
  const bundle = await page.evaluate(async (account) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("communisp");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const row = await new Promise<{ value?: { logBundle?: unknown } } | undefined>((resolve, reject) => {
        const get = db.transaction("settings", "readonly").objectStore("settings").get([account, "relay"]);
        get.onsuccess = () => resolve(get.result as { value?: { logBundle?: unknown } } | undefined);
        get.onerror = () => reject(get.error);
      });
      return row?.value?.logBundle ?? null;
    } finally {
      db.close();
    }
  }, account);
  if (!bundle) throw new Error("the home tab has no log bundle in IndexedDB: were logs enabled?");
  return bundle as LogPublicBundle;
}

/**
 * Writes sealed records into the page's `logs` store as log-store.ts does
 * (`{account, seq, sealed, at}`), in batches of one transaction each. `seq`
 * follows nextSeq(): receivedAt in microseconds, strictly increasing.
 */
export async function writeLogs(page: Page, account: string, records: LogRecord[], sealed: Uint8Array[], batch = 1000): Promise<void> {
  let lastSeq = 0;
  const rows = records.map((r, i) => {
    lastSeq = Math.max(lastSeq + 1, r.receivedAt * 1000);
    return { seq: lastSeq, at: r.receivedAt, sealed: Buffer.from(sealed[i]!).toString("base64") };
  });
  await nameShim(page);
  for (let i = 0; i < rows.length; i += batch) {
    await page.evaluate(
      async ({ account, rows }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open("communisp");
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        try {
          await new Promise<void>((resolve, reject) => {
            const tx = db.transaction("logs", "readwrite");
            const store = tx.objectStore("logs");
            for (const row of rows) {
              const bin = atob(row.sealed);
              const bytes = new Uint8Array(bin.length);
              for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
              store.put({ account, seq: row.seq, sealed: bytes, at: row.at });
            }
            tx.oncomplete = () => resolve();
            tx.onabort = () => reject(tx.error);
          });
        } finally {
          db.close();
        }
      },
      { account, rows: rows.slice(i, i + batch) },
    );
  }
}
