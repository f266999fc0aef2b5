import { accountRange, idbGet, idbGetAll, idbPut, transact } from "./idb";
import type { StoredMessage } from "./history-store";

// Who this account treats as a contact (it messaged them, or accepted their
// message request) and whom it blocked. Kept per account in the settings
// store. The first load of an account that has none yet counts everyone it
// ever wrote to as a contact, so upgrading turns no friend into a stranger.

export interface PeerTrustRecord {
  contacts: string[];
  blocked: string[];
}

const KEY = "peer-trust";
type Row = { account: string; key: string; value: PeerTrustRecord };

export async function loadPeerTrust(account: string): Promise<PeerTrustRecord> {
  return transact(["settings", "messages"], "readwrite", async (tx) => {
    const row = await idbGet<Row>(tx, "settings", [account, KEY]);
    if (row) return row.value;
    const written = await idbGetAll<StoredMessage>(tx, "messages", accountRange(account));
    const seeded = { contacts: [...new Set(written.filter((m) => m.direction === "out").map((m) => m.peer))], blocked: [] };
    await idbPut(tx, "settings", { account, key: KEY, value: seeded } satisfies Row);
    return seeded;
  });
}

export async function savePeerTrust(account: string, record: PeerTrustRecord): Promise<void> {
  await transact(["settings"], "readwrite", (tx) => idbPut(tx, "settings", { account, key: KEY, value: record } satisfies Row));
}
