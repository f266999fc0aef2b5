import type { StoredMessage } from "@/lib/store/history-store";

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
   * The newest page of `peer`'s history with what arrived live and is not in
   * it, ordered by the sender's clock as the history is.
   */
  mergeInto(peer: string, page: StoredMessage[]): StoredMessage[] {
    const live = this.byPeer.get(peer);
    if (!live) return page;
    const known = new Set(page.map((m) => m.id));
    const missing = live.filter((m) => !known.has(m.id));
    return missing.length === 0 ? page : [...page, ...missing].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }
}
