import { idbGetLastN, transact } from "./idb";

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

/** Where a page of history ends: the oldest message already shown. */
export type PageCursor = Pick<StoredMessage, "at" | "id">;

/**
 * The `limit` messages of a conversation just older than `before` (the newest
 * ones when it is null), oldest first. History is ordered by (at, id), the
 * index's order, so pages neither overlap nor skip messages sent in the same
 * millisecond. A conversation of any length costs one page per call.
 */
export async function loadHistoryPage(account: string, peer: string, before: PageCursor | null, limit: number): Promise<StoredMessage[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  const range = IDBKeyRange.bound([account, peer, -Infinity], [account, peer, before ? before.at : Infinity]);
  const newestFirst = await transact(["messages"], "readonly", (tx) =>
    idbGetLastN<StoredMessage>(tx, "messages", "byConversation", range, limit, (m) => before !== null && m.at === before.at && m.id >= before.id),
  );
  return newestFirst.reverse();
}
