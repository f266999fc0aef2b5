import { idbGetAll, idbPut, transact } from "./idb";

// Trust on first use: the first key seen for a peer's device is pinned here;
// a different key later is a warning the user must accept.

export interface Pin {
  account: string;
  peer: string;
  deviceId: string;
  signPublicKey: string;
  pinnedAt: number;
  /**
   * false: a device the peer added after this browser first knew them, not
   * yet acknowledged by the person ("new device" notice). Missing on pins
   * made before this field existed, which counts as acknowledged.
   */
  announced?: boolean;
}

/** Several pins in one transaction (first contact pins every listed device at once). */
export const savePins = (pins: Pin[]) =>
  transact(["pins"], "readwrite", async (tx) => {
    for (const pin of pins) await idbPut(tx, "pins", pin);
  });

/** Every pin of one peer's devices. */
export const loadPins = (account: string, peer: string) => transact(["pins"], "readonly", (tx) => idbGetAll<Pin>(tx, "pins", [account, peer], "byPeer"));
