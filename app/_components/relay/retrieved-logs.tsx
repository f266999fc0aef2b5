"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { LogRow } from "@/lib/relay/retrieved-log";

// The "Retrieved logs" region: tens of thousands of messages, of which only
// those on screen (and a few either side) are in the DOM. Rows are measured
// as they render (texts wrap to any height); the visible ones are laid out in
// normal flow inside one block moved to the first one's offset, grouped by
// sender as before: an article per sender ("From bob"), its heading, and an
// ordered list whose items say where they stand in the whole (aria-posinset).

// One formatter for the whole list: toLocaleString with options builds one per call.
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });

/** Rows rendered beyond each edge of the visible area. */
const OVERSCAN = 12;

interface Run {
  peer: string;
  items: { index: number; row: LogRow }[];
}

/** Consecutive visible rows of one sender, so each sender's rows share an article. */
function runsOf(rows: LogRow[], indexes: number[]): Run[] {
  const runs: Run[] = [];
  for (const index of indexes) {
    const row = rows[index]!;
    const last = runs.at(-1);
    if (last && last.peer === row.peer) last.items.push({ index, row });
    else runs.push({ peer: row.peer, items: [{ index, row }] });
  }
  return runs;
}

export function RetrievedLogs({ rows, total }: { rows: LogRow[]; total: number }) {
  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.kind === "peer" ? 36 : 44),
    overscan: OVERSCAN,
    getItemKey: (i) => {
      const row = rows[i]!;
      return row.kind === "peer" ? `peer:${row.peer}` : `${row.peer}:${row.position}:${row.record.id}`;
    },
    // jsdom (component tests) has no layout: assume a screenful.
    initialRect: { width: 360, height: 480 },
  });
  const items = virtualizer.getVirtualItems();
  const offset = items[0]?.start ?? 0;
  return (
    // Focusable: a scrolling region must be reachable (and scrollable) from the keyboard.
    <section aria-label="Retrieved logs" className="retrieved" ref={scroller} data-records={total} tabIndex={0}>
      {rows.length === 0 && <p className="muted">Nobody reached out.</p>}
      <div className="retrieved-space" style={{ height: virtualizer.getTotalSize() }}>
        <div className="retrieved-window" style={{ transform: `translateY(${offset}px)` }}>
          {runsOf(
            rows,
            items.map((i) => i.index),
          ).map((run) => (
            <article key={`${run.peer}:${run.items[0]!.index}`} aria-label={`From ${run.peer}`}>
              {run.items.map(({ index, row }) =>
                row.kind === "peer" ? (
                  <h3 key={index} data-index={index} ref={virtualizer.measureElement}>
                    {row.peer}
                  </h3>
                ) : null,
              )}
              <ol>
                {run.items.map(({ index, row }) =>
                  row.kind === "message" ? (
                    <li key={index} data-index={index} ref={virtualizer.measureElement} value={row.position} aria-posinset={row.position} aria-setsize={row.groupSize}>
                      <time dateTime={new Date(row.record.sentAt).toISOString()}>{timeFormat.format(row.record.sentAt)}</time> <span className="text">{row.record.text}</span>
                    </li>
                  ) : null,
                )}
              </ol>
            </article>
          ))}
        </div>
      </div>
    </section>
  );
}
