import type { ChatFrame, Frame } from "@/lib/protocol";
import { Emitter } from "@/lib/shared/emitter";
import type { StoredMessage } from "@/lib/store/history-store";
import { idbPut, type StoreName } from "@/lib/store/idb";
import { acknowledge, allPending, enqueueOutgoing, pendingFor, type OutboxEntry } from "@/lib/store/outbox-store";
import { storeOnce } from "@/lib/store/seen-store";
import type { Connection, Connections } from "./connections";

// Delivery that loses nothing. Sending: the message goes to the outbox and
// history first, then to every ready connection of the recipient; it stays in
// the outbox until one of them acknowledges it, and is sent again on every new
// connection (after a reconnect or a reload). Receiving: the message is stored
// (once, by id) before its ack goes out, so an acknowledged message is a
// stored one; a retransmission is acknowledged again and not stored twice.

/** Where received chat messages are kept: the history, or (home relay with logs) the sealed log. */
export interface ReceiveSink {
  stores: StoreName[];
  /** Writes the message inside the given transaction. */
  write(tx: IDBTransaction, message: StoredMessage, fromDevice: string): Promise<void>;
}

export const historySink: ReceiveSink = {
  stores: ["messages"],
  write: async (tx, message) => void (await idbPut(tx, "messages", message)),
};

export interface DeliveryEvents {
  /** A message was added or its status changed. */
  message: StoredMessage;
  /** A chat message arrived for the first time (not a retransmission). */
  received: { message: StoredMessage; fromDevice: string };
}

export class Delivery {
  readonly updated = new Emitter<StoredMessage>();
  readonly received = new Emitter<DeliveryEvents["received"]>();
  /** Which outbox ids went out on which connection, so a live channel gets each once. */
  private readonly sentOn = new WeakMap<Connection, Set<string>>();
  sink: ReceiveSink = historySink;

  constructor(
    private readonly account: string,
    private readonly connections: Connections,
    private readonly clock: () => number,
  ) {}

  async send(to: string, id: string, text: string): Promise<StoredMessage> {
    const now = this.clock();
    const entry: OutboxEntry = { account: this.account, id, to, text, sentAt: now, createdAt: now };
    const message = await enqueueOutgoing(entry);
    // Durable first, then straight onto every ready channel, then the screen:
    // rendering must not sit between the outbox and the wire.
    for (const connection of this.connections.of(to)) if (connection.channel.isReady) this.sendPending(connection, [entry]);
    this.updated.emit(message);
    return message;
  }

  /** Sends every pending message for `to` on every ready connection that has not carried it yet. */
  async flush(to: string): Promise<void> {
    const ready = this.connections.of(to).filter((c) => c.channel.isReady);
    if (ready.length === 0) return;
    const pending = await pendingFor(this.account, to);
    for (const connection of ready) this.sendPending(connection, pending);
  }

  async pendingPeers(): Promise<Set<string>> {
    return new Set((await allPending(this.account)).map((e) => e.to));
  }

  /** A connection finished its handshake: everything pending for that nickname goes out on it. */
  async onReady(connection: Connection): Promise<void> {
    this.sendPending(connection, await pendingFor(this.account, connection.nickname));
  }

  async onFrame(connection: Connection, frame: Frame): Promise<boolean> {
    if (frame.t === "chat") {
      await this.receive(connection, frame);
      return true;
    }
    if (frame.t === "ack") {
      const delivered = await acknowledge(this.account, frame.id, connection.nickname);
      if (delivered) this.updated.emit(delivered);
      return true;
    }
    return false;
  }

  private sendPending(connection: Connection, pending: OutboxEntry[]): void {
    let sent = this.sentOn.get(connection);
    if (!sent) this.sentOn.set(connection, (sent = new Set()));
    for (const entry of pending) {
      if (sent.has(entry.id)) continue;
      if (!this.connections.send(connection, { t: "chat", id: entry.id, sentAt: entry.sentAt, text: entry.text })) return;
      sent.add(entry.id);
    }
  }

  private async receive(connection: Connection, frame: ChatFrame): Promise<void> {
    const message: StoredMessage = { account: this.account, id: frame.id, peer: connection.nickname, direction: "in", text: frame.text, at: frame.sentAt, status: "received" };
    const sink = this.sink;
    const fresh = await storeOnce({ account: this.account, peer: connection.nickname, id: frame.id, at: this.clock() }, sink.stores, (tx) =>
      sink.write(tx, message, connection.deviceId),
    );
    // Stored (now or before): only then is it acknowledged.
    this.connections.send(connection, { t: "ack", id: frame.id });
    if (fresh) this.received.emit({ message, fromDevice: connection.deviceId });
  }

}
