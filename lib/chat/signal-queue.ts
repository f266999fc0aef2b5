import type { SignalRequest } from "@/lib/signaling/schemas";

/**
 * Signals of one link go out one at a time, in order: each is its own HTTP
 * request, and an answer must not overtake its offer. A refused signal (the
 * device went offline) ends the link.
 */
export class SignalQueue {
  onFailure: () => void = () => undefined;
  private tail: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(private readonly send: (request: SignalRequest) => Promise<void>) {}

  push(request: SignalRequest): void {
    if (this.failed) return;
    this.tail = this.tail.then(() =>
      this.send(request).catch(() => {
        if (request.type === "bye") return;
        this.failed = true;
        this.onFailure();
      }),
    );
  }
}
