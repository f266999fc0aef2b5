import type { LogRecord } from "./log-records";

// Retrieved records as the page lists them, built up chunk by chunk while
// they stream in: grouped by sender (the sender heard from last first), each
// group in the order its messages were sent, flattened into rows (a heading
// per sender, then its messages) for a virtualized list. Adding a chunk costs
// its own size plus a binary search per record; only rows() walks them all.

export type LogRow =
  | { kind: "peer"; peer: string; count: number }
  | { kind: "message"; peer: string; record: LogRecord; /** 1-based, within the sender's messages. */ position: number; groupSize: number };

const before = (a: LogRecord, b: LogRecord) => a.sentAt - b.sentAt || a.receivedAt - b.receivedAt;

export class RetrievedLog {
  private readonly groups = new Map<string, LogRecord[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(records: readonly LogRecord[]): void {
    for (const record of records) {
      let list = this.groups.get(record.from);
      if (!list) this.groups.set(record.from, (list = []));
      // Records arrive nearly in order: the common case is an append.
      let at = list.length;
      if (at > 0 && before(record, list[at - 1]!) < 0) {
        let lo = 0;
        while (lo < at) {
          const mid = (lo + at) >> 1;
          if (before(list[mid]!, record) <= 0) lo = mid + 1;
          else at = mid;
        }
      }
      list.splice(at, 0, record);
      this.count += 1;
    }
  }

  rows(): LogRow[] {
    const groups = [...this.groups].sort(([, a], [, b]) => (b.at(-1)?.receivedAt ?? 0) - (a.at(-1)?.receivedAt ?? 0));
    const rows: LogRow[] = [];
    for (const [peer, list] of groups) {
      rows.push({ kind: "peer", peer, count: list.length });
      list.forEach((record, i) => rows.push({ kind: "message", peer, record, position: i + 1, groupSize: list.length }));
    }
    return rows;
  }
}
