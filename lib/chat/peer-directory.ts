import { publicDevicesSchema, type PublicDevice } from "@/lib/account-devices/schemas";
import { fetchJson } from "@/lib/api-client/fetch-json";
import { presenceSchema, type Presence } from "@/lib/signaling/schemas";

// What the server says about a peer: its devices with their public keys
// (GET /api/users/:nickname) and which of them are online (…/presence). Each
// answer is parsed before use and kept for a short while per nickname, and a
// question already in flight is shared: "Connect" asks both at once, and the
// dial, the handshakes and a message sent meanwhile reuse those answers
// instead of asking again.

/** A listing of devices is reused this long (a device added since is looked up again: see devicesWith). */
export const DEVICES_TTL_MS = 15_000;
/** A presence answer is reused this long: enough for one Connect and the message sent right after. */
export const PRESENCE_TTL_MS = 3_000;
/** Peers remembered at most; the least recently asked about is forgotten first. */
export const MAX_PEERS = 256;

export interface DirectoryFetchers {
  devices(peer: string): Promise<PublicDevice[]>;
  presence(peer: string): Promise<Presence>;
}

const path = (peer: string) => `/api/users/${encodeURIComponent(peer)}`;

export const serverDirectory: DirectoryFetchers = {
  devices: async (peer) => publicDevicesSchema.parse(await fetchJson<unknown>(path(peer))).devices,
  presence: async (peer) => presenceSchema.parse(await fetchJson<unknown>(`${path(peer)}/presence`)),
};

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

export class PeerDirectory {
  private readonly listed = new Map<string, Entry<PublicDevice[]>>();
  private readonly online = new Map<string, Entry<Presence>>();

  constructor(
    private readonly fetchers: DirectoryFetchers = serverDirectory,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The peer's devices as the server lists them; `fresh` asks again even when a recent answer is kept. */
  devices(peer: string, opts: { fresh?: boolean } = {}): Promise<PublicDevice[]> {
    return this.cached(this.listed, peer, DEVICES_TTL_MS, opts.fresh === true, () => this.fetchers.devices(peer));
  }

  /** Which of the peer's devices are online now. */
  presence(peer: string, opts: { fresh?: boolean } = {}): Promise<Presence> {
    return this.cached(this.online, peer, PRESENCE_TTL_MS, opts.fresh === true, () => this.fetchers.presence(peer));
  }

  /**
   * "Connect": both questions side by side, presence afresh; a listing kept
   * from less than DEVICES_TTL_MS ago is reused, so that going back and forth
   * between conversations does not spend the user's lookups (rate-limited).
   */
  lookUp(peer: string): { devices: Promise<PublicDevice[]>; presence: Promise<Presence> } {
    return { devices: this.devices(peer), presence: this.presence(peer, { fresh: true }) };
  }

  /** The listing, asked again once if it lacks `deviceId` (a device registered since it was kept). */
  async devicesWith(peer: string, deviceId: string): Promise<PublicDevice[]> {
    const devices = await this.devices(peer);
    return devices.some((d) => d.id === deviceId) ? devices : this.devices(peer, { fresh: true });
  }

  private cached<T>(map: Map<string, Entry<T>>, peer: string, ttl: number, fresh: boolean, fetch: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = map.get(peer);
    if (hit && !fresh && now - hit.at < ttl) return hit.value;
    const entry: Entry<T> = { at: now, value: fetch() };
    map.delete(peer);
    map.set(peer, entry);
    if (map.size > MAX_PEERS) map.delete(map.keys().next().value!);
    // A failed answer is not kept: the next question asks again.
    entry.value.catch(() => {
      if (map.get(peer) === entry) map.delete(peer);
    });
    return entry.value;
  }
}
