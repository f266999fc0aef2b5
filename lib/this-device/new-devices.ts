import type { OwnDevice } from "@/lib/api-client/devices";

// "New device signed in: NAME, TIME": devices added to this account that
// this device has not acknowledged yet. The first time a device looks, every
// device already there counts as known (nothing to announce to a device about
// devices older than itself). Storage and the device list come in from outside.

export interface KnownDevices {
  load(): Promise<Set<string> | null>;
  save(ids: Set<string>): Promise<void>;
}

export class NewDevices {
  constructor(
    private readonly thisDeviceId: string,
    private readonly known: KnownDevices,
    private readonly list: () => Promise<OwnDevice[]>,
  ) {}

  /** The account's live devices this one has not acknowledged, oldest first. */
  async unacknowledged(): Promise<OwnDevice[]> {
    const devices = await this.list();
    const live = new Set(devices.map((d) => d.id));
    let known = await this.known.load();
    if (known === null) {
      await this.known.save(live);
      return [];
    }
    // Forget devices that are gone, so the stored set stays the size of the account.
    const pruned = new Set([...known].filter((id) => live.has(id)));
    if (pruned.size !== known.size) {
      known = pruned;
      await this.known.save(known);
    }
    return devices.filter((d) => d.id !== this.thisDeviceId && !known.has(d.id));
  }

  async acknowledge(deviceId: string): Promise<void> {
    const known = (await this.known.load()) ?? new Set<string>();
    known.add(deviceId);
    await this.known.save(known);
  }
}
