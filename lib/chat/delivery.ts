import type { ChatFrame, Frame } from "@/lib/protocol";
import { Emitter } from "@/lib/shared/emitter";
import type { StoredMessage } from "@/lib/store/history-store";
import { idbGet, idbPut, type StoreName } from "@/lib/store/idb";
import { acknowledge, acknowledgeSent, allPending, enqueueOutgoing, outgoingMessage, pendingFor, type OutboxEntry } from "@/lib/store/outbox-store";
import { storeOnce } from "@/lib/store/seen-store";
import type { Connection } from "./connections";

// Delivery that loses nothing (docs/protocol.md "Delivery"). Sending: the
// message goes onto every ready connection of the recipient while its outbox
// entry and history record are written; it stays in the outbox until one of
// them acknowledges it, and is sent again on every new connection (after a
// reconnect or a reload). The ack is what makes a message delivered, so the
// write need not come first: its transaction is created before the message
// leaves, and the ack's own update runs after it. Receiving: the message is
// stored (once, by id) in one transaction, committed to disk, before its ack
// goes out, so an acknowledged message is a stored one; a retransmission is
// acknowledged again and not stored twice.

/** Where received chat messages are kept: the history, or (home relay with logs) the sealed log. */
export interface ReceiveSink {
  stores: StoreName[];
  /** Writes the message inside the given transaction. */
  write(tx: IDBTransaction, message: StoredMessage, fromDevice: string): Promise<void>;
}

/**
 * A received message under an id this history already holds for another
 * message: one of this device's own (the peer saw its id in the frame) or one
 * from another peer. Ids are 128-bit random, so only a peer replaying an id it
 * learnt gets here; storing would overwrite the earlier record (the history is
 * keyed by account and id), so the message is refused and not acknowledged.
 */
export class ReusedMessageId extends Error {
  constructor(readonly id: string, readonly from: string) {
    super(`${from} sent a message under an id this history already holds for another message; refused`);
    this.name = "ReusedMessageId";
  }
}

export const historySink: ReceiveSink = {
  stores: ["messages"],
  write: async (tx, message) => {
    const held = await idbGet<StoredMessage>(tx, "messages", [message.account, message.id]);
    if (held) {
      // The same message from the same peer (its dedupe entry expired): stored already, keep it.
      if (held.direction === "in" && held.peer === message.peer) return;
      throw new ReusedMessageId(message.id, message.peer);
    }
    await idbPut(tx, "messages", message);
  },
};

export interface ReceivedMessage {
  message: StoredMessage;
  fromDevice: string;
}

/** What delivery needs of the connections. */
export interface DeliveryConnections {
  of(nickname: string): Connection[];
  send(connection: Connection, frame: Frame): boolean;
}

export interface DeliveryOptions {
  account: string;
  connections: DeliveryConnections;
  clock: () => number;
  /** Where received messages go, asked for each one (a home relay switches to its sealed log when logs are on). */
  sink?: () => ReceiveSink | Promise<ReceiveSink>;
}

export class Delivery {
  /** A message was added or its status changed. */
  readonly updated = new Emitter<StoredMessage>();
  /** A chat message arrived for the first time (not a retransmission), stored and acknowledged. */
  readonly received = new Emitter<ReceivedMessage>();
  /** Which outbox ids went out on which connection, so a live channel gets each once. */
  private readonly sentOn = new WeakMap<Connection, Set<string>>();
  /**
   * The outbox as this tab knows it, by id, once load() read it: this tab is
   * its only writer (one tab per device), so a connection that becomes ready
   * sends what waits without a read of the disk first, and an ack is shown
   * before its update is written.
   */
  private mirror: Map<string, OutboxEntry> | null = null;
  private readonly account: string;
  private readonly sink: () => ReceiveSink | Promise<ReceiveSink>;

  constructor(private readonly opts: DeliveryOptions) {
    this.account = opts.account;
    this.sink = opts.sink ?? (() => historySink);
  }

  /** Reads the outbox once; from then on this tab's copy answers (before, every question reads IndexedDB). */
  async load(): Promise<void> {
    const entries = await allPending(this.account);
    this.mirror ??= new Map();
    for (const entry of entries) if (!this.mirror.has(entry.id)) this.mirror.set(entry.id, entry);
  }

  /**
   * Queues a message: straight onto every ready channel of `to` while the
   * outbox write runs, then shown. Resolves once the outbox entry is durable
   * (an unacknowledged message is sent again from there); rejects with a
   * StoreError if it could not be written.
   */
  async send(to: string, id: string, text: string): Promise<StoredMessage> {
    const now = this.opts.clock();
    const entry: OutboxEntry = { account: this.account, id, to, text, sentAt: now, createdAt: now };
    this.mirror?.set(id, entry);
    const stored = enqueueOutgoing(entry, () => {
      for (const connection of this.opts.connections.of(to)) if (connection.channel.isReady) this.sendPending(connection, [entry]);
    });
    const message = outgoingMessage(entry);
    this.updated.emit(message);
    await stored;
    return message;
  }

  /** Sends every pending message for `to` on every ready connection that has not carried it yet. */
  async flush(to: string): Promise<void> {
    const ready = this.opts.connections.of(to).filter((c) => c.channel.isReady);
    if (ready.length === 0) return;
    const pending = await this.pendingFor(to);
    for (const connection of ready) this.sendPending(connection, pending);
  }

  async pendingPeers(): Promise<Set<string>> {
    const entries = this.mirror ? this.mirror.values() : await allPending(this.account);
    return new Set([...entries].map((e) => e.to));
  }

  /** A connection finished its handshake: everything pending for that nickname goes out on it. */
  async onReady(connection: Connection): Promise<void> {
    this.sendPending(connection, await this.pendingFor(connection.nickname));
  }

  /** Pending messages for `to`, oldest first. */
  private async pendingFor(to: string): Promise<OutboxEntry[]> {
    if (!this.mirror) return pendingFor(this.account, to);
    return [...this.mirror.values()].filter((e) => e.to === to).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Handles chat and ack frames; false for any other frame. */
  async onFrame(connection: Connection, frame: Frame): Promise<boolean> {
    if (frame.t === "chat") {
      await this.receive(connection, frame);
      return true;
    }
    if (frame.t === "ack") {
      await this.onAck(connection, frame.id);
      return true;
    }
    return false;
  }

  private async onAck(connection: Connection, id: string): Promise<void> {
    if (this.mirror) {
      const entry = this.mirror.get(id);
      // Only the recipient's devices may acknowledge a message; a second ack changes nothing.
      if (!entry || entry.to !== connection.nickname) return;
      this.mirror.delete(id);
      this.updated.emit(outgoingMessage(entry, "delivered"));
      await acknowledgeSent(entry);
      return;
    }
    const delivered = await acknowledge(this.account, id, connection.nickname);
    if (delivered) this.updated.emit(delivered);
  }

  private sendPending(connection: Connection, pending: OutboxEntry[]): void {
    let sent = this.sentOn.get(connection);
    if (!sent) this.sentOn.set(connection, (sent = new Set()));
    for (const entry of pending) {
      if (sent.has(entry.id)) continue;
      if (!this.opts.connections.send(connection, { t: "chat", id: entry.id, sentAt: entry.sentAt, text: entry.text })) return;
      sent.add(entry.id);
    }
  }

  private async receive(connection: Connection, frame: ChatFrame): Promise<void> {
    const message: StoredMessage = { account: this.account, id: frame.id, peer: connection.nickname, direction: "in", text: frame.text, at: frame.sentAt, status: "received" };
    const sink = await this.sink();
    let fresh: boolean;
    try {
      fresh = await storeOnce({ account: this.account, peer: connection.nickname, id: frame.id, at: this.opts.clock() }, sink.stores, (tx) =>
        sink.write(tx, message, connection.deviceId),
      );
    } catch (error) {
      // Nothing was written (the transaction aborted): no ack, so an honest sender would try again; a forger gets nothing.
      if (error instanceof ReusedMessageId) return;
      throw error;
    }
    // Stored (now or before): only then is it acknowledged.
    this.opts.connections.send(connection, { t: "ack", id: frame.id });
    if (fresh) this.received.emit({ message, fromDevice: connection.deviceId });
  }
}
