import type { PublicDevice } from "@/lib/account-devices/schemas";
import { fromBase64 } from "@/lib/crypto";
import { Emitter } from "@/lib/shared/emitter";
import { loadPins, savePins, type Pin } from "@/lib/store/pins-store";
import type { PeerDirectory } from "./peer-directory";

// Which Ed25519 key a peer's device must prove in the handshake: the one the
// server lists for it, checked against what this browser pinned the first
// time it saw that device (trust on first use). A different key is a warning:
// that device's signals are ignored and sending to the peer pauses until the
// person accepts the new key. A device the peer added after this browser
// first knew them is news ("new device"), not a warning: it gets messages too.
//
// This tab is the only writer of its account's pins (one tab per device,
// lib/chat/device-lock.ts), so a peer's pins are read from IndexedDB once and
// kept here; a handshake then checks its key without touching storage.

export interface KeyWarning {
  deviceId: string;
  deviceName: string;
  /** The key the server lists now (base64). */
  newKey: string;
}

export interface NewDevice {
  deviceId: string;
  deviceName: string;
}

export type KeyCheckCode = "key-changed" | "device-unknown";

/** Why a handshake has no key to expect. The message is for developers; the page shows the warning. */
export class KeyCheckError extends Error {
  constructor(
    readonly code: KeyCheckCode,
    readonly peer: string,
    readonly deviceId: string,
  ) {
    super(code === "key-changed" ? "the device's listed key differs from the one pinned here" : "the peer no longer lists that device");
    this.name = "KeyCheckError";
  }
}

export interface PinStore {
  load(account: string, peer: string): Promise<Pin[]>;
  /** Starts the write at once (transactions run in the order they start); resolves when it is durable. */
  save(pins: Pin[]): Promise<void>;
}

const idbPins: PinStore = { load: loadPins, save: savePins };

export class PeerKeys {
  /** A peer's key warnings or new devices changed. */
  readonly changed = new Emitter<string>();
  private readonly pins = new Map<string, Promise<Map<string, Pin>>>();
  private readonly warnings = new Map<string, Map<string, KeyWarning>>();
  private readonly fresh = new Map<string, NewDevice[]>();

  constructor(
    private readonly account: string,
    private readonly directory: PeerDirectory,
    private readonly store: PinStore = idbPins,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The key (peer, deviceId) must prove; pins it on first use. Throws KeyCheckError. */
  async expectedKey(peer: string, deviceId: string): Promise<Uint8Array> {
    const listed = await this.directory.devicesWith(peer, deviceId);
    const device = listed.find((d) => d.id === deviceId);
    if (!device) throw new KeyCheckError("device-unknown", peer, deviceId);
    const pins = await this.pinsOf(peer);
    const pin = pins.get(deviceId);
    if (!pin) {
      // At first contact every listed device is pinned at once; after that, a device not seen before is announced.
      if (pins.size === 0) this.pin(peer, pins, listed, true);
      else {
        this.pin(peer, pins, [device], false);
        this.setFresh(peer, [...this.newDevices(peer).filter((d) => d.deviceId !== device.id), { deviceId: device.id, deviceName: device.name }]);
      }
    } else if (pin.signPublicKey !== device.signPublicKey) {
      this.warn(peer, device);
      throw new KeyCheckError("key-changed", peer, deviceId);
    }
    return fromBase64(device.signPublicKey);
  }

  /** "Connect": compares the server's listing with the pins; records changed keys and new devices. */
  async review(peer: string, listed: PublicDevice[]): Promise<void> {
    const pins = await this.pinsOf(peer);
    if (pins.size === 0) {
      this.pin(peer, pins, listed, true);
      return this.setFresh(peer, []);
    }
    const unknown = listed.filter((d) => !pins.has(d.id));
    if (unknown.length > 0) this.pin(peer, pins, unknown, false);
    for (const device of listed) {
      if (pins.get(device.id)!.signPublicKey !== device.signPublicKey) this.warn(peer, device);
      // Listed with the pinned key again: nothing left to warn about.
      else if (this.warnings.get(peer)?.delete(device.id)) this.changed.emit(peer);
    }
    const named = new Map(listed.map((d) => [d.id, d.name]));
    this.setFresh(
      peer,
      [...pins.values()].filter((p) => p.announced === false && named.has(p.deviceId)).map((p) => ({ deviceId: p.deviceId, deviceName: named.get(p.deviceId)! })),
    );
  }

  /** Whether any of the peer's devices is pinned: the peer was met before. */
  async known(peer: string): Promise<boolean> {
    return (await this.pinsOf(peer)).size > 0;
  }

  keyWarnings(peer: string): KeyWarning[] {
    return [...(this.warnings.get(peer)?.values() ?? [])];
  }

  newDevices(peer: string): NewDevice[] {
    return this.fresh.get(peer) ?? [];
  }

  /** A changed key pauses sending to the whole peer. */
  blocksPeer(peer: string): boolean {
    return (this.warnings.get(peer)?.size ?? 0) > 0;
  }

  /** ...and signals from that device are not even looked at. */
  blocksDevice(peer: string, deviceId: string): boolean {
    return this.warnings.get(peer)?.has(deviceId) ?? false;
  }

  /** The person compared safety numbers (or chose to trust the change): the new key is pinned. */
  async accept(peer: string, deviceId: string): Promise<boolean> {
    const warning = this.warnings.get(peer)?.get(deviceId);
    if (!warning) return false;
    this.warnings.get(peer)!.delete(deviceId);
    const pins = await this.pinsOf(peer);
    const pin: Pin = { account: this.account, peer, deviceId, signPublicKey: warning.newKey, pinnedAt: this.clock(), announced: true };
    pins.set(deviceId, pin);
    this.changed.emit(peer);
    await this.store.save([pin]);
    return true;
  }

  /** The person has seen the notice about this new device. */
  async acknowledge(peer: string, deviceId: string): Promise<void> {
    const pins = await this.pinsOf(peer);
    const pin = pins.get(deviceId);
    this.setFresh(peer, this.newDevices(peer).filter((d) => d.deviceId !== deviceId));
    if (!pin || pin.announced !== false) return;
    const seen = { ...pin, announced: true };
    pins.set(deviceId, seen);
    await this.store.save([seen]);
  }

  private pinsOf(peer: string): Promise<Map<string, Pin>> {
    let pins = this.pins.get(peer);
    if (!pins) {
      pins = this.store.load(this.account, peer).then((list) => new Map(list.map((p) => [p.deviceId, p])));
      pins.catch(() => this.pins.delete(peer));
      this.pins.set(peer, pins);
    }
    return pins;
  }

  /**
   * Pins in memory now and in IndexedDB in the background: the handshake does
   * not wait for the disk. Should the write be lost, the next session pins on
   * first use again.
   */
  private pin(peer: string, pins: Map<string, Pin>, devices: PublicDevice[], announced: boolean): void {
    const now = this.clock();
    const made = devices.map((d): Pin => ({ account: this.account, peer, deviceId: d.id, signPublicKey: d.signPublicKey, pinnedAt: now, announced }));
    for (const pin of made) pins.set(pin.deviceId, pin);
    this.store.save(made).catch(() => undefined);
  }

  private warn(peer: string, device: PublicDevice): void {
    const warnings = this.warnings.get(peer) ?? new Map<string, KeyWarning>();
    if (warnings.get(device.id)?.newKey === device.signPublicKey) return;
    warnings.set(device.id, { deviceId: device.id, deviceName: device.name, newKey: device.signPublicKey });
    this.warnings.set(peer, warnings);
    this.changed.emit(peer);
  }

  private setFresh(peer: string, devices: NewDevice[]): void {
    const before = this.fresh.get(peer) ?? [];
    if (before.length === devices.length && before.every((d, i) => d.deviceId === devices[i]!.deviceId)) return;
    this.fresh.set(peer, devices);
    this.changed.emit(peer);
  }
}
