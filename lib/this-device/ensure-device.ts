import { generateIdentity, identityFromJSON, identityToJSON, publicIdentity, type DeviceIdentity } from "@/lib/crypto/identity";
import { bindSessionToDevice } from "@/lib/api-client/auth";
import { fetchJson } from "@/lib/api-client/fetch-json";
import { forgetDevice, loadDevice, saveDevice, type StoredDevice } from "@/lib/store/device-store";
import { browserRandom } from "./browser-random";

export interface LocalDevice {
  deviceId: string;
  name: string;
  identity: DeviceIdentity;
}

interface ServerDevice {
  id: string;
  name: string;
  signPublicKey: string;
  dhPublicKey: string;
  home: boolean;
}

/**
 * Makes sure this browser is a registered device of `account`: on first login
 * it makes the key pairs (secret halves stay in IndexedDB), registers the
 * public halves, and binds the session to the device. A device the server no
 * longer lists (revoked elsewhere) is replaced by a new one.
 */
export async function ensureDevice(account: string, suggestedName: string): Promise<LocalDevice> {
  const run = () => ensureDeviceUnlocked(account, suggestedName);
  // Two tabs logging in at once must not register two devices.
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request(`communisp-register-${account}`, run);
  }
  return run();
}

async function ensureDeviceUnlocked(account: string, suggestedName: string): Promise<LocalDevice> {
  const { devices } = await fetchJson<{ devices: ServerDevice[] }>("/api/devices");
  let stored: StoredDevice | undefined = await loadDevice(account);
  if (stored) {
    const known = devices.find((d) => d.id === stored!.deviceId);
    if (!known || known.signPublicKey !== stored.identity.signPublicKey || known.dhPublicKey !== stored.identity.dhPublicKey) {
      await forgetDevice(account);
      stored = undefined;
    } else {
      stored = { ...stored, name: known.name };
    }
  }
  if (!stored) {
    const identity = generateIdentity(browserRandom);
    // Registering binds this session to the new device.
    const { deviceId } = await fetchJson<{ deviceId: string }>("/api/devices", {
      method: "POST",
      json: { name: suggestedName, ...publicIdentity(identity) },
    });
    stored = { account, deviceId, name: suggestedName, identity: identityToJSON(identity), createdAt: Date.now() };
    await saveDevice(stored);
    return { deviceId, name: stored.name, identity };
  }
  const identity = identityFromJSON(stored.identity);
  await bindSessionToDevice(stored.deviceId, identity.signSecretKey);
  return { deviceId: stored.deviceId, name: stored.name, identity };
}
