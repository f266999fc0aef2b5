import { ApiRequestError } from "@/lib/api-client/fetch-json";
import type { SignalRequest } from "@/lib/signaling/schemas";

/**
 * Signals of one link go out one at a time, in order: each is its own HTTP
 * request, and an answer must not overtake its offer. A refused signal (the
 * device went offline, or this session ended) ends the link. A signal that
 * did not get through because the server is away (no answer, 5xx, 429) ends
 * nothing: a connected link needs no signaling to carry data, and one still
 * connecting gives up on its own timers.
 */
export class SignalQueue {
  onRefused: () => void = () => undefined;
  private tail: Promise<void> = Promise.resolve();
  private refused = false;

  constructor(private readonly send: (request: SignalRequest) => Promise<void>) {}

  push(request: SignalRequest): void {
    if (this.refused) return;
    this.tail = this.tail.then(() =>
      this.send(request).catch((error: unknown) => {
        if (request.type === "bye" || !isRefusal(error)) return;
        this.refused = true;
        this.onRefused();
      }),
    );
  }
}

/** The server answered and said no (4xx but for "slow down" and "timeout"), as opposed to not answering. */
export function isRefusal(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
