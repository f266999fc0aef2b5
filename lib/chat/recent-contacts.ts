import { listContacts, touchContact } from "@/lib/store/contacts-store";

export interface ContactView {
  nickname: string;
  unread: number;
  /** A stranger who wrote: a message request. */
  request: boolean;
}

/** How long a contact already on top is not rewritten on every message. */
const TOUCH_EVERY_MS = 60_000;

/** The recent nicknames, most recent first, with unread counts (this session's). */
export class RecentContacts {
  private readonly unread = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  private current: ContactView[] = [];

  constructor(
    private readonly account: string,
    private readonly clock: () => number,
    private readonly publish: (contacts: ContactView[]) => void,
    private readonly isRequest: (nickname: string) => boolean = () => false,
  ) {}

  markRead(peer: string): void {
    if (this.unread.delete(peer)) this.republish();
  }

  markUnread(peer: string): void {
    this.unread.set(peer, (this.unread.get(peer) ?? 0) + 1);
  }

  /**
   * Moves a nickname to the top. Skipped while it is already on top and was
   * touched within a minute: a busy conversation must not cost a write and a
   * re-render per message.
   */
  async note(peer: string): Promise<void> {
    const now = this.clock();
    if (this.current[0]?.nickname === peer && now - (this.touched.get(peer) ?? -Infinity) < TOUCH_EVERY_MS) return this.republish();
    this.touched.set(peer, now);
    await touchContact(this.account, peer, now);
    await this.refresh();
  }

  async refresh(): Promise<void> {
    this.current = (await listContacts(this.account)).map((c) => ({ nickname: c.nickname, unread: this.unread.get(c.nickname) ?? 0, request: this.isRequest(c.nickname) }));
    this.publish(this.current);
  }

  /** Publishes only when an unread count changed, so unchanged lists keep their identity. */
  private republish(): void {
    const next = this.current.map((c) => ({ ...c, unread: this.unread.get(c.nickname) ?? 0 }));
    if (next.some((c, i) => c.unread !== this.current[i]?.unread)) {
      this.current = next;
      this.publish(next);
    }
  }
}
