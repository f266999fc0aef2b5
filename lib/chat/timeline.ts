import type { PageCursor, StoredMessage } from "@/lib/store/history-store";

// The open conversation's messages, as a virtualized list reads them: how
// many there are, which id sits at an index, and each message by id, with a
// subscription per message. A new message costs one append and wakes the
// list (its length changed); a status change replaces one message and wakes
// only the row that shows it. History comes in pages from IndexedDB, newest
// first, as the person scrolls up: a conversation of 50,000 messages loads
// what is looked at, not all of it.

/** Messages per page of history. */
export const PAGE_SIZE = 50;
/**
 * Messages kept loaded while the person is at the bottom: past this, the
 * oldest are let go (scrolling up pages them in again), so a long session
 * costs each new message no more than a short one.
 */
export const MAX_LOADED = 500;
/** How many a trim keeps (trims come every MAX_LOADED - KEEP_LOADED messages, not on each). */
export const KEEP_LOADED = 300;

/** What the list itself renders from; a new object whenever any of it changes. */
export interface TimelineState {
  count: number;
  /** Older messages may be in IndexedDB: scrolling to the top asks for them. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Messages the last change added at the top (a page came in), or, negative, let go from it (a trim). */
  prepended: number;
  /** Any message from the peer among those loaded (a stranger's message request). */
  incoming: boolean;
}

/** The `limit` messages just older than `before` (the newest when null), oldest first. */
export type LoadPage = (before: PageCursor | null, limit: number) => Promise<StoredMessage[]>;

let serials = 0;

export class Timeline {
  /** Distinct for every timeline made in this tab (a React key: reopening a conversation starts a fresh list). */
  readonly serial = ++serials;
  private ids: string[] = [];
  private readonly byId = new Map<string, StoredMessage>();
  private readonly listeners = new Set<() => void>();
  private readonly rowListeners = new Map<string, Set<() => void>>();
  /** Outgoing messages still "pending": the only ones "waiting" may apply to. */
  private readonly pending = new Set<string>();
  private state: TimelineState = { count: 0, hasOlder: true, loadingOlder: false, prepended: 0, incoming: false };
  private loading: Promise<void> | null = null;

  constructor(
    readonly peer: string,
    private readonly loadPage: LoadPage,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  // ---- for React (useSyncExternalStore)

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): TimelineState => this.state;

  subscribeRow(id: string, listener: () => void): () => void {
    let set = this.rowListeners.get(id);
    if (!set) this.rowListeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.rowListeners.get(id) === set) this.rowListeners.delete(id);
    };
  }

  idAt(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no message at index ${index} (count ${this.ids.length})`);
    return id;
  }

  get(id: string): StoredMessage | undefined {
    return this.byId.get(id);
  }

  /** The loaded messages, oldest first (tests and small views; the list reads by index). */
  messages(): StoredMessage[] {
    return this.ids.map((id) => this.byId.get(id)!);
  }

  // ---- changes

  /** A new message goes to the end; a known one is replaced, waking its row only. */
  upsert(message: StoredMessage): void {
    if (message.peer !== this.peer) throw new RangeError("a message of another conversation");
    const known = this.byId.get(message.id);
    this.track(message);
    if (known) {
      if (known === message) return;
      this.byId.set(message.id, message);
      for (const listener of [...(this.rowListeners.get(message.id) ?? [])]) listener();
      return;
    }
    this.byId.set(message.id, message);
    this.ids.push(message.id);
    this.publish({ count: this.ids.length, prepended: 0, incoming: this.state.incoming || message.direction === "in" });
  }

  /** Outgoing messages still "pending" now read "waiting" (nobody of the peer's is online). */
  markWaiting(): void {
    for (const id of [...this.pending]) {
      const message = this.byId.get(id)!;
      this.upsert({ ...message, status: "waiting" });
    }
  }

  /**
   * Lets the oldest loaded messages go once more than MAX_LOADED are loaded,
   * keeping the newest KEEP_LOADED; they are history again, paged in on the
   * way up. For a list at the bottom, where nobody is looking at them.
   */
  trimOldest(): void {
    if (this.ids.length <= MAX_LOADED || this.loading) return;
    const gone = this.ids.splice(0, this.ids.length - KEEP_LOADED);
    for (const id of gone) {
      this.byId.delete(id);
      this.pending.delete(id);
    }
    this.publish({ count: this.ids.length, hasOlder: true, prepended: -gone.length });
  }

  /** Loads the next page of older history (the first call loads the newest page). Safe to call while one loads. */
  loadOlder(): Promise<void> {
    if (!this.state.hasOlder) return Promise.resolve();
    this.loading ??= this.fetchOlder().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async fetchOlder(): Promise<void> {
    this.publish({ loadingOlder: true, prepended: 0 });
    const oldest = this.ids.length > 0 ? this.byId.get(this.ids[0]!)! : null;
    let page: StoredMessage[];
    try {
      page = await this.loadPage(oldest && { at: oldest.at, id: oldest.id }, this.pageSize);
    } catch (error) {
      this.publish({ loadingOlder: false });
      throw error;
    }
    // A message can be both in the page and already here (it arrived while the page loaded).
    const fresh = page.filter((m) => !this.byId.has(m.id));
    for (const message of fresh) {
      this.byId.set(message.id, message);
      this.track(message);
    }
    this.ids = [...fresh.map((m) => m.id), ...this.ids];
    this.publish({
      count: this.ids.length,
      hasOlder: page.length >= this.pageSize,
      loadingOlder: false,
      prepended: fresh.length,
      incoming: this.state.incoming || fresh.some((m) => m.direction === "in"),
    });
  }

  private track(message: StoredMessage): void {
    if (message.direction === "out" && message.status === "pending") this.pending.add(message.id);
    else this.pending.delete(message.id);
  }

  private publish(change: Partial<TimelineState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}
