import { DEVICES_TTL_MS, MAX_PEERS, PeerDirectory, PRESENCE_TTL_MS, serverDirectory, type DirectoryFetchers } from "@/lib/chat/peer-directory";
import type { PublicDevice } from "@/lib/account-devices/schemas";

// What the server says about a peer, asked once per question in flight and
// kept briefly: "Connect" asks devices and presence side by side, and the
// dial and the handshakes that follow reuse the answers.

const KEY = `${"A".repeat(43)}=`;
const device = (id: string): PublicDevice => ({ id, name: id, signPublicKey: KEY, dhPublicKey: KEY, home: false });

function counting(overrides: Partial<DirectoryFetchers> = {}) {
  const calls = { devices: 0, presence: 0 };
  const fetchers: DirectoryFetchers = {
    devices: async () => {
      calls.devices += 1;
      return [device("bobdevice00000000000001")];
    },
    presence: async () => {
      calls.presence += 1;
      return { online: [{ deviceId: "bobdevice00000000000001", home: false }] };
    },
    ...overrides,
  };
  return { calls, fetchers };
}

describe("PeerDirectory", () => {
  it("asks both questions at once on Connect, and the dial and a message sent right after reuse the answers", async () => {
    let now = 1_000;
    const { calls, fetchers } = counting();
    const directory = new PeerDirectory(fetchers, () => now);
    const { devices, presence } = directory.lookUp("bob");
    expect(calls).toEqual({ devices: 1, presence: 1 });
    await Promise.all([devices, presence, directory.presence("bob"), directory.devices("bob"), directory.devicesWith("bob", "bobdevice00000000000001")]);
    now += PRESENCE_TTL_MS - 1;
    await directory.presence("bob");
    expect(calls).toEqual({ devices: 1, presence: 1 });
    now += 1;
    await directory.presence("bob");
    expect(calls.presence).toBe(2);
    now += DEVICES_TTL_MS;
    await directory.devices("bob");
    expect(calls.devices).toBe(2);
  });

  it("on a Connect soon after the last, reuses the kept listing and asks presence afresh (switching conversations spends no lookups)", async () => {
    let now = 1_000;
    const { calls, fetchers } = counting();
    const directory = new PeerDirectory(fetchers, () => now);
    await Promise.all(Object.values(directory.lookUp("bob")));
    now += DEVICES_TTL_MS - 1;
    await Promise.all(Object.values(directory.lookUp("bob")));
    expect(calls).toEqual({ devices: 1, presence: 2 });
    now += 1;
    await Promise.all(Object.values(directory.lookUp("bob")));
    expect(calls).toEqual({ devices: 2, presence: 3 });
  });

  it("shares one request among everyone asking while it is in flight", async () => {
    const pending: ((devices: PublicDevice[]) => void)[] = [];
    const { calls, fetchers } = counting({ devices: () => ((calls.devices += 1), new Promise((r) => void pending.push(r))) });
    const directory = new PeerDirectory(fetchers);
    const asked = [directory.devices("bob"), directory.devices("bob"), directory.devices("bob")];
    expect(calls.devices).toBe(1);
    pending[0]!([device("bobdevice00000000000001")]);
    await Promise.all(asked);
    // A device the kept listing lacks: asked again, once.
    const withNew = directory.devicesWith("bob", "bobdevice00000000000002");
    await Promise.resolve();
    expect(calls.devices).toBe(2);
    pending[1]!([device("bobdevice00000000000001"), device("bobdevice00000000000002")]);
    expect((await withNew).map((d) => d.id)).toEqual(["bobdevice00000000000001", "bobdevice00000000000002"]);
  });

  it("does not keep a failed answer", async () => {
    let fail = true;
    const { calls, fetchers } = counting({
      presence: async () => {
        calls.presence += 1;
        if (fail) throw new Error("offline");
        return { online: [] };
      },
    });
    const directory = new PeerDirectory(fetchers);
    await expect(directory.presence("bob")).rejects.toThrow("offline");
    fail = false;
    await expect(directory.presence("bob")).resolves.toEqual({ online: [] });
    expect(calls.presence).toBe(2);
  });

  it("remembers at most MAX_PEERS peers, forgetting the least recently asked about", async () => {
    const { calls, fetchers } = counting();
    const directory = new PeerDirectory(fetchers, () => 0);
    for (let i = 0; i <= MAX_PEERS; i++) await directory.devices(`peer${i}`);
    expect(calls.devices).toBe(MAX_PEERS + 1);
    await directory.devices(`peer${MAX_PEERS}`);
    expect(calls.devices).toBe(MAX_PEERS + 1);
    await directory.devices("peer0");
    expect(calls.devices).toBe(MAX_PEERS + 2);
  });

  it("refuses a server answer that is not a device list or a presence", async () => {
    const realFetch = globalThis.fetch;
    const answer = (body: unknown) => (globalThis.fetch = (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch);
    try {
      answer({ nickname: "bob", devices: [{ id: "bobdevice00000000000001", name: "x", signPublicKey: "not a key", dhPublicKey: KEY, home: false }] });
      await expect(serverDirectory.devices("bob")).rejects.toThrow();
      answer({ online: [{ deviceId: "../../etc", home: false }] });
      await expect(serverDirectory.presence("bob")).rejects.toThrow();
      answer({ nickname: "bob", devices: [device("bobdevice00000000000001")] });
      await expect(serverDirectory.devices("bob")).resolves.toEqual([device("bobdevice00000000000001")]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
