import { Timeline } from "@/lib/chat/timeline";
import type { PageCursor, StoredMessage } from "@/lib/store/history-store";

/** A message of alice's conversation with `peer`. */
export const message = (id: string, direction: "in" | "out", status: StoredMessage["status"], text = `text ${id}`, at = 1_700_000_000_000, peer = "bob"): StoredMessage => ({
  account: "alice",
  id,
  peer,
  direction,
  text,
  at,
  status,
});

/**
 * A history kept in memory with IndexedDB's page semantics (ordered by at,
 * then id; pages just older than a cursor, newest first), counting the pages
 * asked for.
 */
export function memoryHistory(messages: StoredMessage[]) {
  const sorted = [...messages].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const asked: (PageCursor | null)[] = [];
  const load = async (before: PageCursor | null, limit: number) => {
    asked.push(before);
    const older = before ? sorted.filter((m) => m.at < before.at || (m.at === before.at && m.id < before.id)) : sorted;
    return older.slice(Math.max(0, older.length - limit));
  };
  return { load, asked };
}

/** A timeline over `messages` with its newest page loaded, as opening a conversation leaves it. */
export async function openTimeline(messages: StoredMessage[], peer = "bob", pageSize?: number): Promise<Timeline> {
  const timeline = new Timeline(peer, memoryHistory(messages).load, pageSize);
  await timeline.loadOlder();
  return timeline;
}
