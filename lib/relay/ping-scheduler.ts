// "Ping on Received": at most one ping per interval. Messages that arrive in
// between are counted and go out in the next ping, so nothing is missed and
// the phone is not buzzed per message.

export const PING_INTERVAL_MS = 30_000;
/** The server accepts counts up to this; more waiting is still "a lot". */
export const MAX_PING_COUNT = 100_000;

export class PingScheduler {
  private pending = 0;
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;

  constructor(
    /** Sends a ping for `count` messages; may answer "retry after" seconds (a 429). */
    private readonly send: (count: number) => Promise<{ retryAfterSec?: number }>,
    private readonly clock: () => number = Date.now,
    private readonly intervalMs = PING_INTERVAL_MS,
  ) {}

  add(count = 1): void {
    this.pending += count;
    this.schedule(Math.max(0, this.lastSentAt + this.intervalMs - this.clock()));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = 0;
  }

  private schedule(delay: number): void {
    if (this.timer || this.sending) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    if (this.pending === 0) return;
    const count = Math.min(this.pending, MAX_PING_COUNT);
    this.pending = 0;
    this.sending = true;
    try {
      const { retryAfterSec } = await this.send(count);
      if (retryAfterSec !== undefined) {
        this.pending += count;
        this.lastSentAt = this.clock() + retryAfterSec * 1000 - this.intervalMs;
      } else {
        this.lastSentAt = this.clock();
      }
    } catch {
      // Offline: keep the count for the next attempt.
      this.pending += count;
      this.lastSentAt = this.clock();
    } finally {
      this.sending = false;
    }
    if (this.pending > 0) this.schedule(Math.max(0, this.lastSentAt + this.intervalMs - this.clock()));
  }
}
