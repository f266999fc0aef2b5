// A small promise layer over IndexedDB: the browser's only durable store, where
// device keys, sessions, the outbox, contacts and sealed logs live. Every
// record is scoped by the local account's nickname, since one browser may be
// used by several accounts in turn.

export const DB_NAME = "communisp";

/** Stores and their indexes; adding one means bumping DB_VERSION. */
const STORES: Record<string, { keyPath: string | string[]; indexes?: Record<string, string | string[]> }> = {
  devices: { keyPath: "account" },
  sessions: { keyPath: ["account", "peerDeviceId"] },
  pins: { keyPath: ["account", "peer", "deviceId"], indexes: { byPeer: ["account", "peer"] } },
  contacts: { keyPath: ["account", "nickname"], indexes: { byAccount: "account" } },
  messages: { keyPath: ["account", "id"], indexes: { byConversation: ["account", "peer", "at"] } },
  outbox: { keyPath: ["account", "id"], indexes: { byPeer: ["account", "to", "createdAt"] } },
  seen: { keyPath: ["account", "peer", "id"], indexes: { byTime: ["account", "at"] } },
  logs: { keyPath: ["account", "seq"] },
  settings: { keyPath: ["account", "key"] },
};
export const DB_VERSION = 1;
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

export function openDatabase(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
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
      };
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

/** Test hook: forget the cached connection (after deleting the database). */
export function resetDatabaseForTests(): void {
  opening = undefined;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs `work` in one transaction and resolves once it has committed, so a
 * caller that awaits a write knows the write is durable.
 */
export async function transact<T>(stores: StoreName[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await openDatabase();
  const tx = db.transaction(stores, mode, { durability: "strict" } as IDBTransactionOptions);
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
export const idbGetAll = <T>(tx: IDBTransaction, store: StoreName, query?: IDBValidKey | IDBKeyRange, index?: string, count?: number) =>
  requestResult(index ? tx.objectStore(store).index(index).getAll(query, count) : tx.objectStore(store).getAll(query, count)) as Promise<T[]>;

/** All keys [account, …] of one account in a compound-key store. */
export const accountRange = (account: string) => IDBKeyRange.bound([account], [account, []]);
