import type { KeyChangedError } from "./peer-keys";

export interface KeyWarning {
  deviceId: string;
  deviceName: string;
  newKey: string;
}

/**
 * Peers whose listed key changed for a pinned device. Sending to such a peer,
 * and accepting signals from that device, stop until the user accepts the
 * new key (or it changes back).
 */
export class KeyWarnings {
  private readonly byPeer = new Map<string, Map<string, KeyWarning>>();

  note(change: KeyChangedError): void {
    const warnings = this.byPeer.get(change.peer) ?? new Map<string, KeyWarning>();
    warnings.set(change.deviceId, { deviceId: change.deviceId, deviceName: change.deviceName, newKey: change.newKey });
    this.byPeer.set(change.peer, warnings);
  }

  blocksPeer(peer: string): boolean {
    return (this.byPeer.get(peer)?.size ?? 0) > 0;
  }

  blocksDevice(peer: string, deviceId: string): boolean {
    return this.byPeer.get(peer)?.has(deviceId) ?? false;
  }

  of(peer: string): KeyWarning[] {
    return [...(this.byPeer.get(peer)?.values() ?? [])];
  }

  /** Removes and returns the warning the user just accepted. */
  take(peer: string, deviceId: string): KeyWarning | undefined {
    const warning = this.byPeer.get(peer)?.get(deviceId);
    this.byPeer.get(peer)?.delete(deviceId);
    return warning;
  }
}
