import { idbDelete, idbGet, idbGetAll, idbPut, transact } from "./idb";
import type { StoredMessage } from "./history-store";

// Nothing lost: a message stays here, with its id, until some device of the
// recipient acknowledges it, across reconnects and page reloads.

export interface OutboxEntry {
  account: string;
  id: string;
  to: string;
  text: string;
  sentAt: number;
  createdAt: number;
}

/** The history record of an outgoing message, as it reads with `status`. */
export function outgoingMessage(entry: OutboxEntry, status: StoredMessage["status"] = "pending"): StoredMessage {
  return { account: entry.account, id: entry.id, peer: entry.to, direction: "out", text: entry.text, at: entry.sentAt, status };
}

/**
 * Outbox entry and history record in one transaction: never one without the
 * other. `meanwhile` runs once the transaction exists and before its writes
 * are issued (the caller sends the message then): IndexedDB runs transactions
 * on the same stores in the order they were created, so whatever the caller
 * does after it (handling the ack) finds the entry, and the message does not
 * wait for the writes' copying to leave.
 */
export async function enqueueOutgoing(entry: OutboxEntry, meanwhile: () => void = () => undefined): Promise<StoredMessage> {
  const message = outgoingMessage(entry);
  await transact(["outbox", "messages"], "readwrite", async (tx) => {
    meanwhile();
    await Promise.all([idbPut(tx, "outbox", entry), idbPut(tx, "messages", message)]);
  });
  return message;
}

export async function pendingFor(account: string, to: string): Promise<OutboxEntry[]> {
  const range = IDBKeyRange.bound([account, to, -Infinity], [account, to, Infinity]);
  return transact(["outbox"], "readonly", (tx) => idbGetAll<OutboxEntry>(tx, "outbox", range, "byPeer"));
}

export async function allPending(account: string): Promise<OutboxEntry[]> {
  const range = IDBKeyRange.bound([account], [account, []]);
  return transact(["outbox"], "readonly", (tx) => idbGetAll<OutboxEntry>(tx, "outbox", range));
}

/**
 * An ack from `from` for `id`: removes the entry and marks the message
 * delivered, returning it. Null for an ack that matches nothing of ours (a
 * duplicate, or an ack for a message we never sent to that peer). Relaxed
 * durability: should the write be lost, the message is sent again and the
 * recipient, which stores it once, acknowledges it again.
 */
export async function acknowledge(account: string, id: string, from: string): Promise<StoredMessage | null> {
  return transact(
    ["outbox", "messages"],
    "readwrite",
    async (tx) => {
      const entry = await idbGet<OutboxEntry>(tx, "outbox", [account, id]);
      if (!entry || entry.to !== from) return null;
      await idbDelete(tx, "outbox", [account, id]);
      const message = await idbGet<StoredMessage>(tx, "messages", [account, id]);
      if (!message) return null;
      const delivered: StoredMessage = { ...message, status: "delivered" };
      await idbPut(tx, "messages", delivered);
      return delivered;
    },
    { durability: "relaxed" },
  );
}

/**
 * The ack of a message this tab sent and still holds (it knows the entry):
 * the outbox entry goes and the history record reads "delivered", written
 * without reading either first. Relaxed durability, as for acknowledge().
 */
export async function acknowledgeSent(entry: OutboxEntry): Promise<StoredMessage> {
  const delivered = outgoingMessage(entry, "delivered");
  await transact(
    ["outbox", "messages"],
    "readwrite",
    async (tx) => {
      await idbDelete(tx, "outbox", [entry.account, entry.id]);
      await idbPut(tx, "messages", delivered);
    },
    { durability: "relaxed" },
  );
  return delivered;
}
