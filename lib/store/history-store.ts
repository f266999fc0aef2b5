import { idbCount, idbGet, idbGetAll, idbPut, transact } from "./idb";

// The conversation history of this device. On a home relay with logs enabled,
// received messages are not kept here in the clear: they go to the sealed log
// instead (lib/relay), and only the live view shows them.

export type MessageStatus = "pending" | "waiting" | "delivered" | "received";

export interface StoredMessage {
  account: string;
  id: string;
  peer: string;
  direction: "in" | "out";
  text: string;
  /** The sender's clock when it sent the message. */
  at: number;
  status: MessageStatus;
}

/** The most recent `limit` messages of a conversation, oldest first. */
export async function loadConversation(account: string, peer: string, limit = 500): Promise<StoredMessage[]> {
  const range = IDBKeyRange.bound([account, peer, -Infinity], [account, peer, Infinity]);
  return transact(["messages"], "readonly", async (tx) => {
    const total = await idbCount(tx, "messages", range, "byConversation");
    const all = await idbGetAll<StoredMessage>(tx, "messages", range, "byConversation");
    return total > limit ? all.slice(total - limit) : all;
  });
}

export const putMessage = (message: StoredMessage) => transact(["messages"], "readwrite", (tx) => idbPut(tx, "messages", message)).then(() => undefined);

export async function setMessageStatus(account: string, id: string, status: MessageStatus): Promise<StoredMessage | undefined> {
  return transact(["messages"], "readwrite", async (tx) => {
    const message = await idbGet<StoredMessage>(tx, "messages", [account, id]);
    if (!message || message.status === status || message.status === "delivered") return message;
    const updated = { ...message, status };
    await idbPut(tx, "messages", updated);
    return updated;
  });
}
