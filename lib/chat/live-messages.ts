import type { PageCursor, StoredMessage } from "@/lib/store/history-store";

// Messages received this session, per peer, for the conversation view of a
// device that keeps no history of them (a home relay sealing what it
// receives into its log). Bounded: the newest MAX_PER_PEER of the
// MAX_PEERS peers heard from most recently.

export const MAX_PER_PEER = 500;
export const MAX_PEERS = 64;

export class LiveMessages {
  private readonly byPeer = new Map<string, StoredMessage[]>();

  add(message: StoredMessage): void {
    const list = this.byPeer.get(message.peer) ?? [];
    list.push(message);
    if (list.length > MAX_PER_PEER) list.splice(0, list.length - MAX_PER_PEER);
    // Most recent peer last, so the first is the one to forget.
    this.byPeer.delete(message.peer);
    this.byPeer.set(message.peer, list);
    if (this.byPeer.size > MAX_PEERS) this.byPeer.delete(this.byPeer.keys().next().value!);
  }

  /**
   * A page of `peer`'s history with what arrived live this session and is
   * not in it (a device that keeps no history of received messages), in the
   * history's order (sender's clock, then id): the live messages older than
   * `before` (all of them for the newest page) and, when the page is full,
   * no older than its oldest message, which the next page covers.
   */
  mergeInto(peer: string, page: StoredMessage[], before: PageCursor | null, limit: number): StoredMessage[] {
    const live = this.byPeer.get(peer);
    if (!live) return page;
    const known = new Set(page.map((m) => m.id));
    const older = (m: PageCursor, than: PageCursor) => m.at < than.at || (m.at === than.at && m.id < than.id);
    const floor = page.length >= limit ? page[0]! : null;
    const missing = live.filter((m) => !known.has(m.id) && (!before || older(m, before)) && (!floor || !older(m, floor)));
    return missing.length === 0 ? page : [...page, ...missing].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }
}
