import type { PublicDevice } from "@/lib/account-devices/schemas";
import { PeerDirectory } from "@/lib/chat/peer-directory";
import { KeyCheckError, PeerKeys, type PinStore } from "@/lib/chat/peer-keys";
import { toBase64 } from "@/lib/crypto";
import type { Pin } from "@/lib/store/pins-store";

// Trust on first use for peers' device keys: the first listing is pinned,
// a later device is announced, a changed key is refused and warned about
// until the person accepts it. Pins are read from storage once per peer.

const key = (n: number) => toBase64(new Uint8Array(32).fill(n));
const dev = (id: string, n: number, name = id): PublicDevice => ({ id, name, signPublicKey: key(n), dhPublicKey: key(100 + n), home: false });
const PHONE = "bobphone000000000000001";
const LAPTOP = "boblaptop00000000000001";
const TABLET = "bobtablet00000000000001";

function setUp(listing: PublicDevice[], pinned: Pin[] = []) {
  let listed = listing;
  const saved: Pin[][] = [];
  let loads = 0;
  const store: PinStore = {
    load: async () => {
      loads += 1;
      return pinned;
    },
    save: async (pins) => void saved.push(pins),
  };
  const directory = new PeerDirectory({ devices: async () => listed, presence: async () => ({ online: [] }) });
  const keys = new PeerKeys("alice", directory, store, () => 42);
  const changed: string[] = [];
  keys.changed.on((peer) => changed.push(peer));
  return { keys, saved, changed, loads: () => loads, list: (next: PublicDevice[]) => (listed = next), directory };
}

const pin = (deviceId: string, n: number, announced?: boolean): Pin => ({ account: "alice", peer: "bob", deviceId, signPublicKey: key(n), pinnedAt: 1, ...(announced === undefined ? {} : { announced }) });

describe("PeerKeys", () => {
  it("pins every listed device at first contact and expects each one's listed key", async () => {
    const { keys, saved } = setUp([dev(PHONE, 1), dev(LAPTOP, 2)]);
    expect(await keys.expectedKey("bob", PHONE)).toEqual(new Uint8Array(32).fill(1));
    expect(saved).toEqual([[expect.objectContaining({ deviceId: PHONE, signPublicKey: key(1), announced: true }), expect.objectContaining({ deviceId: LAPTOP, signPublicKey: key(2), announced: true })]]);
    expect(await keys.expectedKey("bob", LAPTOP)).toEqual(new Uint8Array(32).fill(2));
    expect(keys.newDevices("bob")).toEqual([]);
  });

  it("announces a device added after first contact, without refusing it", async () => {
    const { keys, saved, changed } = setUp([dev(PHONE, 1), dev(TABLET, 3, "Bob's tablet")], [pin(PHONE, 1)]);
    expect(await keys.expectedKey("bob", TABLET)).toEqual(new Uint8Array(32).fill(3));
    expect(saved).toEqual([[expect.objectContaining({ deviceId: TABLET, announced: false })]]);
    expect(keys.newDevices("bob")).toEqual([{ deviceId: TABLET, deviceName: "Bob's tablet" }]);
    expect(changed).toEqual(["bob"]);
    await keys.acknowledge("bob", TABLET);
    expect(keys.newDevices("bob")).toEqual([]);
    expect(saved.at(-1)).toEqual([expect.objectContaining({ deviceId: TABLET, announced: true })]);
  });

  it("refuses a pinned device whose listed key changed, warns, and pauses the peer until the person accepts", async () => {
    const { keys, saved } = setUp([dev(PHONE, 9, "Bob's phone")], [pin(PHONE, 1)]);
    const refused = keys.expectedKey("bob", PHONE);
    await expect(refused).rejects.toBeInstanceOf(KeyCheckError);
    await expect(refused).rejects.toMatchObject({ code: "key-changed", peer: "bob", deviceId: PHONE });
    expect(keys.keyWarnings("bob")).toEqual([{ deviceId: PHONE, deviceName: "Bob's phone", newKey: key(9) }]);
    expect(keys.blocksPeer("bob") && keys.blocksDevice("bob", PHONE)).toBe(true);
    expect(keys.blocksDevice("bob", LAPTOP)).toBe(false);
    expect(saved).toEqual([]);
    expect(await keys.accept("bob", PHONE)).toBe(true);
    expect(keys.blocksPeer("bob")).toBe(false);
    expect(saved).toEqual([[expect.objectContaining({ deviceId: PHONE, signPublicKey: key(9) })]]);
    expect(await keys.expectedKey("bob", PHONE)).toEqual(new Uint8Array(32).fill(9));
    expect(await keys.accept("bob", PHONE)).toBe(false);
  });

  it("refuses a device the peer does not list, after asking the server again once", async () => {
    const { keys } = setUp([dev(PHONE, 1)]);
    await expect(keys.expectedKey("bob", LAPTOP)).rejects.toMatchObject({ code: "device-unknown" });
  });

  it("reads a peer's pins from storage once, however many handshakes check them", async () => {
    const { keys, loads } = setUp([dev(PHONE, 1), dev(LAPTOP, 2)], [pin(PHONE, 1), pin(LAPTOP, 2)]);
    await Promise.all([keys.expectedKey("bob", PHONE), keys.expectedKey("bob", LAPTOP), keys.expectedKey("bob", PHONE)]);
    await keys.review("bob", [dev(PHONE, 1), dev(LAPTOP, 2)]);
    expect(loads()).toBe(1);
  });

  it("on Connect, reports changed keys and unannounced devices, and clears a warning once the pinned key is listed again", async () => {
    const { keys } = setUp([], [pin(PHONE, 1), pin(LAPTOP, 2, false)]);
    await keys.review("bob", [dev(PHONE, 7), dev(LAPTOP, 2, "Bob's laptop"), dev(TABLET, 3, "Bob's tablet")]);
    expect(keys.keyWarnings("bob").map((w) => w.deviceId)).toEqual([PHONE]);
    expect(keys.newDevices("bob")).toEqual([
      { deviceId: LAPTOP, deviceName: "Bob's laptop" },
      { deviceId: TABLET, deviceName: "Bob's tablet" },
    ]);
    await keys.review("bob", [dev(PHONE, 1), dev(LAPTOP, 2, "Bob's laptop")]);
    expect(keys.keyWarnings("bob")).toEqual([]);
  });

  it("knows a peer met before (pinned) from one never met, whose conversation a failed lookup must stop", async () => {
    expect(await setUp([dev(PHONE, 1)], [pin(PHONE, 1)]).keys.known("bob")).toBe(true);
    const fresh = setUp([dev(PHONE, 1)]);
    expect(await fresh.keys.known("bob")).toBe(false);
    await fresh.keys.expectedKey("bob", PHONE);
    expect(await fresh.keys.known("bob")).toBe(true);
  });
});
