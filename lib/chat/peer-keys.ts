import { fetchJson } from "@/lib/api-client/fetch-json";
import { fromBase64 } from "@/lib/crypto";
import type { PublicDevice } from "@/lib/account-devices/schemas";
import { loadPin, loadPins, savePin } from "@/lib/store/pins-store";

// Which Ed25519 key a peer's device must prove in the handshake: the one the
// server lists for it, checked against what this browser pinned the first
// time it saw that device. A different key is not trusted until the user
// accepts it.

export type { PublicDevice } from "@/lib/account-devices/schemas";

export class KeyChangedError extends Error {
  constructor(
    readonly peer: string,
    readonly deviceId: string,
    readonly deviceName: string,
    readonly newKey: string,
  ) {
    super(`The security key of ${peer}'s device "${deviceName}" changed.`);
    this.name = "KeyChangedError";
  }
}

export class DeviceUnknownError extends Error {
  constructor(
    readonly peer: string,
    readonly deviceId: string,
  ) {
    super(`${peer} no longer lists that device.`);
    this.name = "DeviceUnknownError";
  }
}

const CACHE_MS = 15_000;
const cache = new Map<string, { at: number; devices: Promise<PublicDevice[]> }>();

export function publicDevices(peer: string, now = Date.now()): Promise<PublicDevice[]> {
  const hit = cache.get(peer);
  if (hit && now - hit.at < CACHE_MS) return hit.devices;
  const devices = fetchJson<{ devices: PublicDevice[] }>(`/api/users/${encodeURIComponent(peer)}`).then((r) => r.devices);
  cache.set(peer, { at: now, devices });
  devices.catch(() => cache.delete(peer));
  return devices;
}

export function forgetPublicDevices(peer: string): void {
  cache.delete(peer);
}

/** The key to expect from (peer, deviceId); pins it on first use; throws KeyChangedError on a change. */
export async function expectedKey(account: string, peer: string, deviceId: string): Promise<Uint8Array> {
  let device = (await publicDevices(peer)).find((d) => d.id === deviceId);
  if (!device) {
    // A device registered since the cached list: ask again once.
    forgetPublicDevices(peer);
    device = (await publicDevices(peer)).find((d) => d.id === deviceId);
  }
  if (!device) throw new DeviceUnknownError(peer, deviceId);
  const pin = await loadPin(account, peer, deviceId);
  if (!pin) {
    // Trust on first use. At first contact every device listed is pinned at
    // once; after that, a device not seen before is announced (newDevices).
    if ((await loadPins(account, peer)).length === 0) await pinAll(account, peer, await publicDevices(peer));
    else await savePin({ account, peer, deviceId, signPublicKey: device.signPublicKey, pinnedAt: Date.now(), announced: false });
  } else if (pin.signPublicKey !== device.signPublicKey) {
    throw new KeyChangedError(peer, deviceId, device.name, device.signPublicKey);
  }
  return fromBase64(device.signPublicKey);
}

/** The user compared safety numbers (or chose to trust the change): pin the new key. */
export async function acceptKey(account: string, peer: string, deviceId: string, signPublicKey: string): Promise<void> {
  await savePin({ account, peer, deviceId, signPublicKey, pinnedAt: Date.now() });
}

/** Devices of `peer` whose listed key differs from the one pinned here (nothing pinned is not a change). */
export async function changedKeys(account: string, peer: string, devices: PublicDevice[]): Promise<KeyChangedError[]> {
  const changed: KeyChangedError[] = [];
  for (const device of devices) {
    const pin = await loadPin(account, peer, device.id);
    if (pin && pin.signPublicKey !== device.signPublicKey) changed.push(new KeyChangedError(peer, device.id, device.name, device.signPublicKey));
  }
  return changed;
}

export interface NewDevice {
  deviceId: string;
  deviceName: string;
}

/**
 * Devices of `peer` the person has not been told about: listed by the server,
 * first seen after this browser already knew another device of `peer`. They
 * are pinned now (trust on first use, as a handshake would) and stay "new"
 * until acknowledged. Messages still go to them: a new device is news, not a
 * key change.
 */
async function pinAll(account: string, peer: string, devices: PublicDevice[]): Promise<void> {
  for (const d of devices) await savePin({ account, peer, deviceId: d.id, signPublicKey: d.signPublicKey, pinnedAt: Date.now(), announced: true });
}

export async function newDevices(account: string, peer: string, devices: PublicDevice[]): Promise<NewDevice[]> {
  const pins = new Map((await loadPins(account, peer)).map((p) => [p.deviceId, p]));
  if (pins.size === 0) {
    await pinAll(account, peer, devices);
    return [];
  }
  const fresh: NewDevice[] = [];
  for (const device of devices) {
    const pin = pins.get(device.id);
    if (!pin) await savePin({ account, peer, deviceId: device.id, signPublicKey: device.signPublicKey, pinnedAt: Date.now(), announced: false });
    if (!pin || pin.announced === false) fresh.push({ deviceId: device.id, deviceName: device.name });
  }
  return fresh;
}

/** The person has seen the notice about this device. */
export async function acknowledgeDevice(account: string, peer: string, deviceId: string): Promise<void> {
  const pin = await loadPin(account, peer, deviceId);
  if (pin && pin.announced === false) await savePin({ ...pin, announced: true });
}
