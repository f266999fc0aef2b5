// A bare Pusher-protocol client over `ws`, for the cases pusher-js would
// never produce (forged signatures, garbage frames) and for exact frames.

import WebSocket from "ws";

export interface Frame {
  event: string;
  channel?: string;
  data?: unknown;
  [key: string]: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

export class RawClient {
  readonly frames: Frame[] = [];
  /** Frames that were not JSON, kept verbatim. */
  readonly unparsed: string[] = [];
  closedWith: Closed | null = null;
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      const text = raw.toString();
      try {
        this.frames.push(JSON.parse(text) as Frame);
      } catch {
        this.unparsed.push(text);
      }
      this.wake();
    });
    ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        this.wake();
        resolve(this.closedWith);
      });
    });
  }

  static connect(port: number, key: string, query = "protocol=7&client=js&version=8.6.0&flash=false"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?${query}`, { perMessageDeflate: false });
      const client = new RawClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The first frame (already received or still to come) matching `match`. */
  next(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.find(match);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got: ${JSON.stringify(this.frames).slice(0, 600)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  nextEvent(event: string, channel?: string, timeoutMs = 3000): Promise<Frame> {
    return this.next((f) => f.event === event && (channel === undefined || f.channel === channel), timeoutMs);
  }

  /** Frames matching `match` that arrive (or arrived) within `ms`. */
  async within(ms: number, match: (f: Frame) => boolean): Promise<Frame[]> {
    await sleep(ms);
    return this.frames.filter(match);
  }

  async socketId(): Promise<string> {
    const frame = await this.nextEvent("pusher:connection_established");
    return (JSON.parse(String(frame.data)) as { socket_id: string }).socket_id;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  subscribe(channel: string, auth?: string, channelData?: string): void {
    this.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
  }

  /** True when the socket is open and still answers pusher:ping. */
  async answersPing(timeoutMs = 2000): Promise<boolean> {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    const before = this.frames.filter((f) => f.event === "pusher:pong").length;
    this.send({ event: "pusher:ping", data: {} });
    try {
      await this.next(() => this.frames.filter((f) => f.event === "pusher:pong").length > before, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Waits until everything the server sent before now has arrived: a ping
   * sent now is answered after all earlier frames (or the socket closes).
   * Deterministic where a fixed sleep would be flaky on a loaded machine.
   */
  async sync(timeoutMs = 5000): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const pongs = this.frames.filter((f) => f.event === "pusher:pong").length;
    this.send({ event: "pusher:ping", data: {} });
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.closedWith || this.frames.filter((f) => f.event === "pusher:pong").length > pongs) {
          this.waiters.delete(done);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, timeoutMs);
      this.waiters.add(done);
      done();
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
