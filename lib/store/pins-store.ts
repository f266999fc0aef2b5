import { idbGet, idbPut, transact } from "./idb";

// Trust on first use: the first key seen for a peer's device is pinned here;
// a different key later is a warning the user must accept.

export interface Pin {
  account: string;
  peer: string;
  deviceId: string;
  signPublicKey: string;
  pinnedAt: number;
}

export const loadPin = (account: string, peer: string, deviceId: string) =>
  transact(["pins"], "readonly", (tx) => idbGet<Pin>(tx, "pins", [account, peer, deviceId]));

export const savePin = (pin: Pin) => transact(["pins"], "readwrite", (tx) => idbPut(tx, "pins", pin)).then(() => undefined);
