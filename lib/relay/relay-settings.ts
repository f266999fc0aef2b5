import type { LogPublicBundle } from "@/lib/crypto";
import { idbGet, idbPut, transact } from "@/lib/store/idb";

// The home relay's settings on this device. Only the public halves of the log
// keys are kept (with the salt and KDF parameters): this device can seal logs
// but never open them.

export interface RelaySettings {
  logBundle: LogPublicBundle | null;
  logsEnabled: boolean;
  pingOnReceived: boolean;
}

export interface ProofLockout {
  failures: number;
  lockedUntil: number;
}

export const DEFAULT_SETTINGS: RelaySettings = { logBundle: null, logsEnabled: false, pingOnReceived: false };

async function load<T>(account: string, key: string): Promise<T | undefined> {
  const row = await transact(["settings"], "readonly", (tx) => idbGet<{ value: T }>(tx, "settings", [account, key]));
  return row?.value;
}

async function save<T>(account: string, key: string, value: T): Promise<void> {
  await transact(["settings"], "readwrite", (tx) => idbPut(tx, "settings", { account, key, value }));
}

export const loadRelaySettings = async (account: string): Promise<RelaySettings> => ({ ...DEFAULT_SETTINGS, ...(await load<RelaySettings>(account, "relay")) });
export const saveRelaySettings = (account: string, settings: RelaySettings) => save(account, "relay", settings);

/** Failed proofs survive reloads: a reload must not reset the lockout. */
export const loadLockout = async (account: string): Promise<ProofLockout> => (await load<ProofLockout>(account, "relay-lockout")) ?? { failures: 0, lockedUntil: 0 };
export const saveLockout = (account: string, lockout: ProofLockout) => save(account, "relay-lockout", lockout);
