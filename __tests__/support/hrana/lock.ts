// SQLite has one write lock per database. sqld queues writers for it and,
// when a transaction has held it for TXN_TIMEOUT (5 s) while another writer
// waits, rolls that transaction back and hands the lock on
// (libsql-server/src/connection/connection_manager.rs, connection/mod.rs
// TXN_TIMEOUT). The stand-in does the same without blocking the event loop:
// a statement that meets SQLITE_BUSY waits for a release or a backoff step
// (SQLite's own busy-handler delays) and tries again.
import { BusyError, type Connection } from "./connection";
import { HranaError } from "./proto";

/** SQLite's sqliteDefaultBusyCallback delays, in ms. */
const BACKOFF_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

export class WriteGate {
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly connections: () => Iterable<Connection>,
    readonly txnTimeoutMs: number,
  ) {}

  /** Wakes every waiting writer: a transaction ended or a connection closed. */
  released(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Runs one statement on `connection`, waiting out other streams' write transactions. */
  async run<T>(connection: Connection, statement: () => T): Promise<T> {
    const givesUpAt = Date.now() + this.txnTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const holdingBefore = connection.writeSince !== null;
      try {
        return statement();
      } catch (error) {
        if (!(error instanceof BusyError)) throw error;
        const holder = [...this.connections()].find((c) => c !== connection && c.writeSince !== null);
        if (holder && Date.now() - holder.writeSince! >= this.txnTimeoutMs) {
          holder.forceRollback();
          continue;
        }
        // A lock held outside this server (another process on the file) is never stolen.
        if (!holder && Date.now() >= givesUpAt) throw new HranaError(`SQLite error: ${error.message}`, "SQLITE_BUSY");
        const until = holder ? holder.writeSince! + this.txnTimeoutMs : givesUpAt;
        await this.wait(Math.max(1, Math.min(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!, until - Date.now())));
      } finally {
        if (holdingBefore && connection.writeSince === null) this.released();
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
