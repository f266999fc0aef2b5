import { idbGet, idbGetAll, idbPut, transact } from "./idb";

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

export const loadPin = (account: string, peer: string, deviceId: string) =>
  transact(["pins"], "readonly", (tx) => idbGet<Pin>(tx, "pins", [account, peer, deviceId]));

export const savePin = (pin: Pin) => transact(["pins"], "readwrite", (tx) => idbPut(tx, "pins", pin)).then(() => undefined);

/** Every pin of one peer's devices. */
export const loadPins = (account: string, peer: string) => transact(["pins"], "readonly", (tx) => idbGetAll<Pin>(tx, "pins", [account, peer], "byPeer"));
