import type { Connection } from "@/lib/chat/connections";
import { PeerReach, type ReachDeps } from "@/lib/chat/peer-reach";
import { PRESENCE_MIN_MS } from "@/lib/chat/presence-watch";
import type { Presence } from "@/lib/signaling/schemas";

// Reaching a peer: dial whoever is online (from the presence the caller
// already asked for, when it did), send what waits, and while messages wait
// with nobody connected, watch presence and dial whoever appears.

const online = (...ids: string[]): Presence => ({ online: ids.map((deviceId) => ({ deviceId, home: false })) });

function setUp(opts: { pending?: string[]; presence?: Presence; mayDial?: boolean } = {}) {
  const dialed: [string, string[]][] = [];
  const flushed: string[] = [];
  const waiting: string[] = [];
  const reads: { peer: string; fresh: boolean }[] = [];
  const connections: Connection[] = [];
  let presence = opts.presence ?? online();
  const pending = new Set(opts.pending ?? []);
  const deps: ReachDeps = {
    presence: async (peer, o) => (reads.push({ peer, fresh: o?.fresh === true }), presence),
    connections: {
      dial: (peer, ids) => void dialed.push([peer, ids]),
      of: (peer) => connections.filter((c) => c.nickname === peer),
    },
    delivery: { flush: async (peer) => void flushed.push(peer), pendingPeers: async () => pending },
    mayDial: () => opts.mayDial ?? true,
    waiting: (peer) => void waiting.push(peer),
  };
  const reach = new PeerReach(deps);
  const connect = (peer: string, ready: boolean) => {
    const c = { nickname: peer, deviceId: `${peer}-dev`, channel: { isReady: ready } } as unknown as Connection;
    connections.push(c);
    return c;
  };
  return { reach, dialed, flushed, waiting, reads, pending, connect, setPresence: (p: Presence) => (presence = p) };
}

afterEach(() => jest.useRealTimers());

describe("PeerReach", () => {
  it("dials the devices of a presence the caller already asked for, without asking again", async () => {
    const t = setUp();
    await t.reach.reach("bob", Promise.resolve(online("bob-phone", "bob-laptop")));
    expect(t.dialed).toEqual([["bob", ["bob-phone", "bob-laptop"]]]);
    expect(t.reads).toEqual([]);
    expect(t.flushed).toEqual(["bob"]);
  });

  it("dials nobody while the peer is blocked or one of its keys changed", async () => {
    const t = setUp({ presence: online("bob-phone"), mayDial: false, pending: ["bob"] });
    await t.reach.reach("bob");
    expect(t.dialed).toEqual([]);
    expect(t.reads).toEqual([]);
  });

  it("marks messages waiting when nobody of the peer's is even connecting, then dials whoever comes online", async () => {
    jest.useFakeTimers();
    const t = setUp({ pending: ["bob"] });
    await t.reach.reach("bob");
    expect(t.waiting).toEqual(["bob"]);
    t.setPresence(online("bob-phone"));
    await jest.advanceTimersByTimeAsync(PRESENCE_MIN_MS);
    expect(t.reads.at(-1)).toEqual({ peer: "bob", fresh: true });
    expect(t.dialed.at(-1)).toEqual(["bob", ["bob-phone"]]);
  });

  it("stops watching once a connection to the peer is ready, and watches again when it is lost with messages waiting", async () => {
    jest.useFakeTimers();
    const t = setUp({ pending: ["bob"] });
    await t.reach.reach("bob");
    const c = t.connect("bob", true);
    t.reach.ready(c);
    const reads = t.reads.length;
    await jest.advanceTimersByTimeAsync(10 * PRESENCE_MIN_MS);
    expect(t.reads.length).toBe(reads);
    (c.channel as { isReady: boolean }).isReady = false;
    await t.reach.lost(c);
    await jest.advanceTimersByTimeAsync(PRESENCE_MIN_MS);
    expect(t.reads.length).toBe(reads + 1);
  });

  it("neither waits nor watches when nothing waits for the peer", async () => {
    jest.useFakeTimers();
    const t = setUp();
    await t.reach.reach("bob");
    await jest.advanceTimersByTimeAsync(10 * PRESENCE_MIN_MS);
    expect(t.waiting).toEqual([]);
    expect(t.reads.length).toBe(1);
  });

  it("stays stopped: a connection reported lost while the connections close starts no watch, and nothing is dialed", async () => {
    jest.useFakeTimers();
    const t = setUp({ pending: ["bob"], presence: online("bob-phone") });
    await t.reach.reach("bob");
    const c = t.connect("bob", false);
    const [reads, dials] = [t.reads.length, t.dialed.length];
    // As the messenger stops: the watch ends, then closing the connections reports each lost.
    t.reach.stop();
    await t.reach.lost(c);
    await t.reach.reach("bob");
    await jest.advanceTimersByTimeAsync(60 * PRESENCE_MIN_MS);
    expect(t.reads.length).toBe(reads);
    expect(t.dialed.length).toBe(dials);
  });
});
