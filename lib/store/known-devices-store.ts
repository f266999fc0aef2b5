import { idbGet, idbPut, transact } from "./idb";

// The account's devices this device has already seen or been told about, so
// a device added later is announced ("New device signed in") exactly once,
// even when this tab was closed at the time.

export const loadKnownDevices = async (account: string): Promise<Set<string> | null> => {
  const row = await transact(["settings"], "readonly", (tx) => idbGet<{ value: string[] }>(tx, "settings", [account, "known-devices"]));
  return row ? new Set(row.value) : null;
};

export const saveKnownDevices = (account: string, ids: Set<string>) =>
  transact(["settings"], "readwrite", (tx) => idbPut(tx, "settings", { account, key: "known-devices", value: [...ids] })).then(() => undefined);
