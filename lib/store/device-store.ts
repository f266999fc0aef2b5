import type { DeviceIdentityJSON } from "@/lib/crypto/identity";
import { idbDelete, idbGet, idbPut, transact } from "./idb";

// The device's secret keys never leave this store: the server only ever gets
// the public halves (POST /api/devices).

export interface StoredDevice {
  account: string;
  deviceId: string;
  name: string;
  identity: DeviceIdentityJSON;
  createdAt: number;
}

export const loadDevice = (account: string) => transact(["devices"], "readonly", (tx) => idbGet<StoredDevice>(tx, "devices", account));
export const saveDevice = (record: StoredDevice) => transact(["devices"], "readwrite", (tx) => idbPut(tx, "devices", record)).then(() => undefined);
export const forgetDevice = (account: string) => transact(["devices"], "readwrite", (tx) => idbDelete(tx, "devices", account));
