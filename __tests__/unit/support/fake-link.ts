import type { ByteLink } from "@/lib/rtc/byte-link";
import { Emitter } from "@/lib/shared/emitter";

/**
 * Two ends of an in-memory, ordered, reliable byte pipe standing in for a
 * WebRTC data channel, so the secure channel's logic can be tested alone.
 * `tap` sees (and may rewrite or drop) every message in flight.
 */
export class FakeLink implements ByteLink {
  readonly opened = new Emitter<void>();
  readonly message = new Emitter<Uint8Array>();
  readonly closed = new Emitter<{ message: string } | null>();
  isOpen = false;
  sent: Uint8Array[] = [];
  other!: FakeLink;
  tap: (bytes: Uint8Array) => Uint8Array | null = (b) => b;

  constructor(private readonly prints: { local: string; remote: string } | null) {}

  static pair(prints: [string, string] = ["sha-256 AA:01", "sha-256 BB:02"]): [FakeLink, FakeLink] {
    const a = new FakeLink({ local: prints[0], remote: prints[1] });
    const b = new FakeLink({ local: prints[1], remote: prints[0] });
    a.other = b;
    b.other = a;
    return [a, b];
  }

  open(): void {
    this.isOpen = this.other.isOpen = true;
    this.opened.emit();
    this.other.opened.emit();
  }

  send(bytes: Uint8Array): void {
    if (!this.isOpen) throw new Error("not open");
    this.sent.push(bytes.slice());
    const delivered = this.tap(bytes.slice());
    if (delivered) queueMicrotask(() => this.other.isOpen && this.other.message.emit(delivered));
  }

  fingerprints() {
    return this.prints;
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = this.other.isOpen = false;
    this.closed.emit(null);
    this.other.closed.emit(null);
  }
}

/** A deterministic random source that never repeats (a counter through SHA-256 would do; this is simpler). */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = state & 0xff;
    }
    return out;
  };
}

export const flush = () => new Promise((resolve) => setImmediate(resolve));
