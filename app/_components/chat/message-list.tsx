"use client";

import { memo, useEffect, useRef } from "react";
import type { StoredMessage } from "@/lib/store/history-store";

function statusText(message: StoredMessage, peer: string, unreachable: boolean): string {
  // Online but no network path: saying "sending" or "waiting to come online" would mislead.
  if (unreachable && (message.status === "pending" || message.status === "waiting")) return `waiting: can't reach ${peer} from this network`;
  switch (message.status) {
    case "pending":
      return "sending";
    case "waiting":
      return `waiting for ${peer} to come online`;
    case "delivered":
      return "delivered";
    case "received":
      return "received";
  }
}

// One formatter for every row: toLocaleTimeString builds a new one per call,
// which costs a third of a millisecond each in Chromium.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** A row re-renders only when its own message (a new object on any change), the peer or reachability changes. */
const MessageRow = memo(function MessageRow({ message, peer, unreachable }: { message: StoredMessage; peer: string; unreachable: boolean }) {
  return (
    <li className={message.direction === "out" ? "out" : "in"} data-status={message.status}>
      <span className="sr-only">{message.direction === "out" ? "You" : peer}: </span>
      <span className="text">{message.text}</span>
      <span className="meta">
        <time dateTime={new Date(message.at).toISOString()}>{timeFormat.format(message.at)}</time> · <span className="status">{statusText(message, peer, unreachable)}</span>
      </span>
    </li>
  );
});

export function MessageList({ messages, peer, unreachable = false }: { messages: StoredMessage[]; peer: string; unreachable?: boolean }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // A statement, not an expression body: Chromium's scrollIntoView now
    // returns a Promise, which React would take for a cleanup function.
    void end.current?.scrollIntoView({ block: "end" });
  }, [messages.length]);
  return (
    <ol role="log" aria-label="Messages" aria-live="polite" className="messages">
      {messages.map((m) => (
        <MessageRow key={m.id} message={m} peer={peer} unreachable={unreachable} />
      ))}
      <li ref={end} aria-hidden="true" className="end" />
    </ol>
  );
}
