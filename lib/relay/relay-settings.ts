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

/**
 * On a requesting device: the home relay it proved the passphrase to, pinned
 * the first time (trust on first use). A different home listed later is not
 * sent a proof until the user confirms the move.
 */
export interface HomePin {
  deviceId: string;
  /** Standard base64 of its Ed25519 identity key. */
  signPublicKey: string;
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

export const loadHomePin = async (account: string): Promise<HomePin | null> => (await load<HomePin | null>(account, "relay-home-pin")) ?? null;
export const saveHomePin = (account: string, pin: HomePin | null) => save(account, "relay-home-pin", pin);
