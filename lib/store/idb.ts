// A small promise layer over IndexedDB: the browser's only durable store, where
// device keys, pins, contacts, the history, the outbox and sealed logs live
// (never ratchet sessions: each data channel runs its own handshake). Every
// record is scoped by the local account's nickname, since one browser may be
// used by several accounts in turn.

export const DB_NAME = "communisp";

/** Stores and their indexes; adding one means bumping DB_VERSION. */
const STORES: Record<string, { keyPath: string | string[]; indexes?: Record<string, string | string[]> }> = {
  devices: { keyPath: "account" },
  pins: { keyPath: ["account", "peer", "deviceId"], indexes: { byPeer: ["account", "peer"] } },
  contacts: { keyPath: ["account", "nickname"], indexes: { byAccount: "account" } },
  messages: { keyPath: ["account", "id"], indexes: { byConversation: ["account", "peer", "at"] } },
  outbox: { keyPath: ["account", "id"], indexes: { byPeer: ["account", "to", "createdAt"] } },
  seen: { keyPath: ["account", "peer", "id"], indexes: { byTime: ["account", "at"] } },
  logs: { keyPath: ["account", "seq"] },
  settings: { keyPath: ["account", "key"] },
};
/** 2: the unused "sessions" store of version 1 is gone. */
export const DB_VERSION = 2;
export type StoreName = keyof typeof STORES & string;

export class StoreError extends Error {
  constructor(
    readonly code: "unavailable" | "quota" | "aborted",
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

let opening: Promise<IDBDatabase> | undefined;
/** The open database, once it is: transact() then creates its transaction in the same turn as the call. */
let database: IDBDatabase | undefined;

export function openDatabase(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of [...db.objectStoreNames]) if (!(name in STORES)) db.deleteObjectStore(name);
      for (const [name, spec] of Object.entries(STORES)) {
        const store = db.objectStoreNames.contains(name) ? request.transaction!.objectStore(name) : db.createObjectStore(name, { keyPath: spec.keyPath });
        for (const [index, keyPath] of Object.entries(spec.indexes ?? {})) {
          if (!store.indexNames.contains(index)) store.createIndex(index, keyPath);
        }
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema: step aside rather than block it.
      db.onversionchange = () => {
        db.close();
        opening = undefined;
        database = undefined;
      };
      database = db;
      resolve(db);
    };
    request.onerror = () => {
      opening = undefined;
      reject(new StoreError("unavailable", `This browser's storage is unavailable (${request.error?.name ?? "unknown"}). Private windows may block it.`));
    };
    request.onblocked = () => reject(new StoreError("unavailable", "Close other CommunisP tabs to finish updating this browser's storage."));
  });
  return opening;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export interface TransactOptions {
  /**
   * "strict" (default) resolves only once the browser flushed the write to
   * disk: what an acknowledgement promises. "relaxed" may resolve before,
   * for writes whose loss a later retry repairs.
   */
  durability?: "strict" | "relaxed";
}

/**
 * Runs `work` in one transaction and resolves once it has committed, so a
 * caller that awaits a write knows the write is durable. Once the database is
 * open the transaction is created before this returns: transactions on the
 * same stores run in the order they were created, so a caller may start a
 * write, do other work (send the message), and know that any transaction it
 * starts later sees the write.
 */
export async function transact<T>(stores: StoreName[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T> | T, opts: TransactOptions = {}): Promise<T> {
  const db = database ?? (await openDatabase());
  const tx = db.transaction(stores, mode, { durability: opts.durability ?? "strict" } as IDBTransactionOptions);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () =>
      reject(tx.error?.name === "QuotaExceededError" ? new StoreError("quota", "This browser's storage is full.") : new StoreError("aborted", tx.error?.message ?? "storage transaction aborted"));
    tx.onerror = () => undefined; // onabort follows and carries the error
  });
  let result: T;
  try {
    result = await work(tx);
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already finished
    }
    await done.catch(() => undefined);
    throw error;
  }
  await done;
  return result;
}

export const idbGet = <T>(tx: IDBTransaction, store: StoreName, key: IDBValidKey) => requestResult(tx.objectStore(store).get(key)) as Promise<T | undefined>;
export const idbPut = (tx: IDBTransaction, store: StoreName, value: unknown) => requestResult(tx.objectStore(store).put(value));
export const idbDelete = (tx: IDBTransaction, store: StoreName, key: IDBValidKey | IDBKeyRange) => requestResult(tx.objectStore(store).delete(key));
export const idbCount = (tx: IDBTransaction, store: StoreName, query?: IDBValidKey | IDBKeyRange, index?: string) =>
  requestResult(index ? tx.objectStore(store).index(index).count(query) : tx.objectStore(store).count(query));
/** Up to `count` values of `index` at or below `upper`, newest (highest key) first. */
export function idbGetLastN<T>(tx: IDBTransaction, store: StoreName, index: string, range: IDBKeyRange, count: number, skip: (value: T) => boolean): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    const request = tx.objectStore(store).index(index).openCursor(range, "prev");
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || out.length >= count) return resolve(out);
      const value = cursor.value as T;
      if (!skip(value)) out.push(value);
      cursor.continue();
    };
  });
}

export const idbGetAll = <T>(tx: IDBTransaction, store: StoreName, query?: IDBValidKey | IDBKeyRange, index?: string, count?: number) =>
  requestResult(index ? tx.objectStore(store).index(index).getAll(query, count) : tx.objectStore(store).getAll(query, count)) as Promise<T[]>;

/** All keys [account, …] of one account in a compound-key store. */
export const accountRange = (account: string) => IDBKeyRange.bound([account], [account, []]);
