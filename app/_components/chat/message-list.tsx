"use client";

import { useEffect, useRef } from "react";
import type { StoredMessage } from "@/lib/store/history-store";

function statusText(message: StoredMessage, peer: string): string {
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

const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function MessageList({ messages, peer }: { messages: StoredMessage[]; peer: string }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // A statement, not an expression body: Chromium's scrollIntoView now
    // returns a Promise, which React would take for a cleanup function.
    void end.current?.scrollIntoView({ block: "end" });
  }, [messages.length]);
  return (
    <ol role="log" aria-label="Messages" aria-live="polite" className="messages">
      {messages.map((m) => (
        <li key={m.id} className={m.direction === "out" ? "out" : "in"} data-status={m.status}>
          <span className="sr-only">{m.direction === "out" ? "You" : peer}: </span>
          <span className="text">{m.text}</span>
          <span className="meta">
            <time dateTime={new Date(m.at).toISOString()}>{time(m.at)}</time> · <span className="status">{statusText(m, peer)}</span>
          </span>
        </li>
      ))}
      <li ref={end} aria-hidden="true" className="end" />
    </ol>
  );
}
