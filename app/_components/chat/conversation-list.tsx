"use client";

import { useSyncExternalStore } from "react";
import type { ContactView } from "@/lib/chat/recent-contacts";
import { rowTime } from "./row-time";

/** How much of the newest message a row shows (the rest is cut with an ellipsis by CSS too). */
const PREVIEW_CHARS = 80;

function preview(contact: ContactView): string {
  const last = contact.last;
  if (!last) return "No messages yet";
  const text = last.text.replace(/\s+/g, " ").trim();
  const cut = [...text].length > PREVIEW_CHARS ? `${[...text].slice(0, PREVIEW_CHARS).join("")}…` : text;
  return last.direction === "out" ? `You: ${cut}` : cut;
}

// "Now" for the rows' times, read once and then once a minute, so a render stays pure.
let minute = 0;
const subscribeMinute = (listener: () => void) => {
  const timer = setInterval(() => {
    minute = Date.now();
    listener();
  }, 60_000);
  return () => clearInterval(timer);
};
const readMinute = () => (minute ||= Date.now());

/**
 * The conversations, most recent first. Each row is one button named exactly
 * by the nickname (what people and tests look for); the newest message, its
 * time and the unread count are its description, read after the name.
 */
export function ConversationList({ contacts, active, onOpen, now }: { contacts: ContactView[]; active: string | null; onOpen: (nickname: string) => void; now?: number }) {
  const clock = useSyncExternalStore(subscribeMinute, readMinute, () => 0);
  if (contacts.length === 0) return <p className="muted">No conversations yet. Enter a nickname above and press Connect.</p>;
  return (
    <nav aria-label="Recent contacts">
      <ul className="contacts">
        {contacts.map((c) => {
          const when = rowTime(c.last?.at ?? c.lastAt, now ?? clock);
          const text = preview(c);
          const describedBy = `contact-${c.nickname}-about`;
          return (
            <li key={c.nickname} data-unread={c.unread}>
              <button type="button" className="contact" aria-current={c.nickname === active ? "true" : undefined} aria-describedby={describedBy} onClick={() => onOpen(c.nickname)}>
                <span className="contact-name">{c.nickname}</span>
                {/* Seen, not read twice: the description below says the same to a screen reader. */}
                <span className="contact-time" aria-hidden="true">
                  {when}
                </span>
                <span className="contact-preview" aria-hidden="true">
                  {text}
                </span>
                <span className="contact-badges" aria-hidden="true">
                  {c.request && <span className="badge quiet">request</span>}
                  {c.unread > 0 && <span className="badge">{c.unread}</span>}
                </span>
              </button>
              <span id={describedBy} className="sr-only">
                {[c.unread > 0 ? `${c.unread} unread` : null, c.request ? "message request" : null, text, when].filter(Boolean).join(", ")}
              </span>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
