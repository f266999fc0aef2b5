"use client";

import { useVirtualizer, type Virtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useLayoutEffect, useRef, useSyncExternalStore, type UIEvent } from "react";
import type { Timeline } from "@/lib/chat/timeline";
import { statusText } from "./chat-text";

// The conversation as a virtualized list: only the rows on screen (and a few
// either side) are in the DOM, however long the history. The timeline
// (lib/chat/timeline.ts) wakes this list when its length changes and each
// row when its own message does, so a new message renders one row and a
// status change re-renders one row. Nothing here reads layout per message:
// rows are measured by a ResizeObserver after the browser laid them out, and
// "at the bottom" is known from scroll events. At the bottom, a new message
// keeps the list at the bottom; scrolled up, the view stays where it is,
// and reaching the top loads the next page of older history.

/** A one-line message's height before it is measured (padding included). */
const ESTIMATED_ROW_PX = 64;
/** Rows rendered beyond each edge of the visible area. */
const OVERSCAN = 8;
/** Within this many pixels of the bottom counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;
/** Fewer rows than this above the first one shown: load an older page. */
const LOAD_AHEAD_ROWS = 10;

// One formatter for every row: toLocaleTimeString builds a new one per call,
// which costs a third of a millisecond each in Chromium.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** The size a row had when the ResizeObserver last saw it, else what is cached, else the estimate: never a synchronous layout read. */
function measureRow(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<HTMLDivElement, Element>): number {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(box.blockSize);
  const index = instance.indexFromElement(element);
  return instance.itemSizeCache.get(instance.options.getItemKey(index)) ?? ESTIMATED_ROW_PX;
}

interface RowProps {
  timeline: Timeline;
  id: string;
  index: number;
  peer: string;
  unreachable: boolean;
  measure: (element: Element | null) => void;
}

/** One message; it re-renders when its own message changes (a new object on any change), or when it moves (a page loaded above it). */
const MessageRow = memo(function MessageRow({ timeline, id, index, peer, unreachable, measure }: RowProps) {
  const subscribe = useCallback((listener: () => void) => timeline.subscribeRow(id, listener), [timeline, id]);
  const message = useSyncExternalStore(subscribe, () => timeline.get(id)!, () => timeline.get(id)!);
  return (
    <li ref={measure} data-index={index} aria-posinset={index + 1} className={message.direction === "out" ? "out" : "in"} data-status={message.status}>
      <div className="bubble">
        <span className="sr-only">{message.direction === "out" ? "You" : peer}: </span>
        <span className="text">{message.text}</span>
        <span className="meta">
          <time dateTime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time> · <span className="status">{statusText(message, peer, unreachable)}</span>
        </span>
      </div>
    </li>
  );
});

export function MessageList({ timeline, peer, unreachable = false }: { timeline: Timeline; peer: string; unreachable?: boolean }) {
  const state = useSyncExternalStore(timeline.subscribe, timeline.getState, timeline.getState);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const stuckAt = useRef(-1);
  const shownCount = useRef(0);

  /** Scrolls to the end: a write the browser clamps, nothing read. */
  const stick = useCallback((total: number) => {
    const element = scroller.current;
    if (!element) return;
    stuckAt.current = total;
    element.scrollTop = total;
  }, []);

  const virtualizer = useVirtualizer({
    count: state.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => timeline.idAt(index),
    overscan: OVERSCAN,
    measureElement: measureRow,
    // A page loaded above keeps the message on screen where it was.
    anchorTo: "end",
    // jsdom (component tests) has no layout: assume a screenful.
    initialRect: { width: 600, height: 480 },
    onChange: (instance) => {
      // A row measured taller or shorter than estimated moved the bottom: follow it (after the render that may be running).
      const total = instance.getTotalSize();
      if (atBottom.current && total !== stuckAt.current) queueMicrotask(() => atBottom.current && stick(instance.getTotalSize()));
    },
  });

  // The first page, or a message appended while at the bottom: show the bottom;
  // and at the bottom, nobody looks at the oldest loaded rows: let them go.
  useLayoutEffect(() => {
    const before = shownCount.current;
    shownCount.current = state.count;
    if (!atBottom.current) return;
    if (state.count > before && (state.prepended === 0 || before === 0)) {
      stick(virtualizer.getTotalSize());
      timeline.trimOldest();
    } else if (state.prepended < 0) {
      // Trimmed above while at the bottom: still at the bottom.
      stick(virtualizer.getTotalSize());
    }
  }, [state.count, state.prepended, stick, virtualizer, timeline]);

  const items = virtualizer.getVirtualItems();
  // Scrolled up near the first loaded message: fetch the page before it.
  const first = items[0]?.index;
  useLayoutEffect(() => {
    if (first !== undefined && first < LOAD_AHEAD_ROWS && state.hasOlder && !state.loadingOlder && !atBottom.current) void timeline.loadOlder().catch(() => undefined);
  }, [first, state.hasOlder, state.loadingOlder, timeline]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    // Read on scroll events only, never per message.
    const { scrollTop, scrollHeight, clientHeight } = event.currentTarget;
    atBottom.current = scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX;
  };

  const offset = items[0]?.start ?? 0;
  return (
    <div role="log" aria-label="Messages" className="messages" tabIndex={0} ref={scroller} onScroll={onScroll} data-count={state.count} data-has-older={state.hasOlder} aria-busy={state.loadingOlder}>
      <div className="messages-space" style={{ height: virtualizer.getTotalSize() }}>
        <ol className="messages-window" style={{ transform: `translateY(${offset}px)` }}>
          {items.map((item) => (
            <MessageRow key={item.key} timeline={timeline} id={item.key as string} index={item.index} peer={peer} unreachable={unreachable} measure={virtualizer.measureElement} />
          ))}
        </ol>
      </div>
    </div>
  );
}
