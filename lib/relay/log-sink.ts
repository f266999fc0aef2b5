import { historySink, type ReceiveSink } from "@/lib/chat/delivery";
import type { RandomSource } from "@/lib/crypto";
import type { RelaySettings } from "./relay-settings";
import { sealedLogSink, type SealedLogSink } from "./sealed-sink";

// Where this device stores the chat messages it receives: the history, or,
// on a home relay with logs on, the sealed log (no plaintext copy at rest).
// Delivery asks for each message (lib/chat/delivery.ts, injected where the
// messenger builds it); until the relay's settings are read it waits, so a
// logging home seals the very first message it receives.

export class LogSink {
  private sink: ReceiveSink = historySink;
  private sealed: SealedLogSink | null = null;
  private settled!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.settled = resolve));

  constructor(
    private readonly account: string,
    private readonly random: RandomSource,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The sink for the next received message. */
  readonly current = async (): Promise<ReceiveSink> => {
    await this.ready;
    return this.sink;
  };

  /** With logs on (and keys made), received messages go to the sealed log instead of the history. */
  apply(settings: RelaySettings): void {
    const { logBundle, logsEnabled } = settings;
    // A new sink opens a new epoch: the old one's chain key is wiped now.
    this.close();
    this.sealed = logsEnabled && logBundle ? sealedLogSink(this.account, logBundle, this.random, this.clock) : null;
    this.sink = this.sealed ?? historySink;
    this.settled();
  }

  /** Wipes the open epoch (logs turned off, keys changed, the page leaving). */
  close(): void {
    this.sealed?.close();
    this.sealed = null;
  }
}
