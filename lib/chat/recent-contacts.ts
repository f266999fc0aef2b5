import { listContacts, touchContact } from "@/lib/store/contacts-store";
import type { StoredMessage } from "@/lib/store/history-store";

/** The newest message of a conversation, as its row in the list shows it. */
export type LastMessage = Pick<StoredMessage, "id" | "text" | "at" | "direction">;

export interface ContactView {
  nickname: string;
  unread: number;
  /** A stranger who wrote: a message request. */
  request: boolean;
  /** When this conversation was last active (this device's clock). */
  lastAt: number;
  /** Its newest message, if this device has one (in memory, else from the history). */
  last: LastMessage | null;
}

/** How long a contact already on top is not rewritten on every message. */
const TOUCH_EVERY_MS = 60_000;

/** The recent nicknames, most recent first, with unread counts (this session's) and each one's newest message. */
export class RecentContacts {
  private readonly unread = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  /** Each conversation's newest message; null once the history was read and had none. */
  private readonly last = new Map<string, LastMessage | null>();
  private current: ContactView[] = [];

  constructor(
    private readonly account: string,
    private readonly clock: () => number,
    private readonly publish: (contacts: ContactView[]) => void,
    private readonly isRequest: (nickname: string) => boolean = () => false,
    private readonly loadLast: (nickname: string) => Promise<LastMessage | null> = async () => null,
  ) {}

  markRead(peer: string): void {
    if (this.unread.delete(peer)) this.republish();
  }

  markUnread(peer: string): void {
    this.unread.set(peer, (this.unread.get(peer) ?? 0) + 1);
  }

  /** A message sent or received (or its status changed): the row shows it if it is the newest. */
  noteMessage(message: StoredMessage): void {
    const known = this.last.get(message.peer);
    if (known && known.id !== message.id && (known.at > message.at || (known.at === message.at && known.id > message.id))) return;
    this.last.set(message.peer, { id: message.id, text: message.text, at: message.at, direction: message.direction });
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
    const contacts = await listContacts(this.account);
    // The history is read once per conversation and session; after that the messages seen keep the row current.
    await Promise.all(contacts.filter((c) => !this.last.has(c.nickname)).map(async (c) => this.last.set(c.nickname, await this.loadLast(c.nickname).catch(() => null))));
    this.current = contacts.map((c) => this.view(c.nickname, c.lastAt));
    this.publish(this.current);
  }

  private view(nickname: string, lastAt: number): ContactView {
    return { nickname, unread: this.unread.get(nickname) ?? 0, request: this.isRequest(nickname), lastAt, last: this.last.get(nickname) ?? null };
  }

  /** Publishes only when an unread count or a newest message changed, so unchanged lists keep their identity. */
  private republish(): void {
    const next = this.current.map((c) => this.view(c.nickname, c.lastAt));
    if (next.some((c, i) => c.unread !== this.current[i]?.unread || c.last !== this.current[i]?.last)) {
      this.current = next;
      this.publish(next);
    }
  }
}
