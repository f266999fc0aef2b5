import type { Presence } from "@/lib/signaling/schemas";

// While messages wait for a nickname with no device online, its presence is
// polled with exponential backoff; the first device to appear is dialed and
// the outbox drains. Polling stops as soon as nothing waits.

export const PRESENCE_MIN_MS = 1_000;
export const PRESENCE_MAX_MS = 30_000;

export class PresenceWatch {
  private readonly watched = new Map<string, { delay: number; timer: ReturnType<typeof setTimeout> | undefined }>();

  constructor(
    private readonly onOnline: (nickname: string, presence: Presence) => void,
    private readonly stillWaiting: (nickname: string) => Promise<boolean>,
    private readonly read: (nickname: string) => Promise<Presence>,
  ) {}

  watch(nickname: string): void {
    if (this.watched.has(nickname)) return;
    const entry = { delay: PRESENCE_MIN_MS, timer: undefined as ReturnType<typeof setTimeout> | undefined };
    this.watched.set(nickname, entry);
    this.schedule(nickname, entry);
  }

  unwatch(nickname: string): void {
    const entry = this.watched.get(nickname);
    if (entry?.timer) clearTimeout(entry.timer);
    this.watched.delete(nickname);
  }

  stop(): void {
    for (const nickname of [...this.watched.keys()]) this.unwatch(nickname);
  }

  private schedule(nickname: string, entry: { delay: number; timer: ReturnType<typeof setTimeout> | undefined }): void {
    entry.timer = setTimeout(async () => {
      if (this.watched.get(nickname) !== entry) return;
      if (!(await this.stillWaiting(nickname))) return this.unwatch(nickname);
      try {
        const presence = await this.read(nickname);
        if (presence.online.length > 0) this.onOnline(nickname, presence);
      } catch {
        // Offline or server trouble: the next round tries again.
      }
      if (this.watched.get(nickname) !== entry) return;
      entry.delay = Math.min(PRESENCE_MAX_MS, entry.delay * 2);
      this.schedule(nickname, entry);
    }, entry.delay);
  }
}
