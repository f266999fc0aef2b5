import "fake-indexeddb/auto";
import { Connections, type PeerPolicy } from "@/lib/chat/connections";
import { admitLink, hasTurnServer, MAX_LINKS, MAX_STRANGER_LINKS_PER_ACCOUNT, STRANGER_EVICT_IDLE_MS, STRANGER_IDLE_MS } from "@/lib/chat/link-admission";
import { PeerTrust } from "@/lib/chat/peer-trust";
import { generateIdentity } from "@/lib/crypto";
import type { SignalEvent } from "@/lib/signaling/schemas";
import { enqueueOutgoing } from "@/lib/store/outbox-store";
import { flush, seededRandom } from "../support/fake-link";
import { createFakePeerConnection, FakePeerConnection } from "../support/fake-webrtc";
import { makeTabs, until } from "../support/tabs";

// Strangers at arm's length (docs/protocol.md "Strangers"): caps per sender
// account, eviction of idle stranger links, relay-only ICE for strangers when
// TURN is configured, and blocked senders refused before any WebRTC work.
// Connections, PeerLink and the secure channel run for real; RTCPeerConnection
// is an in-memory stand-in (support/fake-webrtc.ts) that records how it was
// configured.

let clock = 1_700_000_000_000;
const TURN = [{ urls: "stun:stun.example.org" }, { urls: ["turn:turn.example.org:3478?transport=udp"], username: "u", credential: "c" }];

function tab(policy: (nickname: string) => PeerPolicy) {
  return new Connections({
    local: { identity: generateIdentity(seededRandom(9)), nickname: "home", deviceId: "home0000000000000000000" },
    iceServers: () => TURN,
    random: seededRandom(10),
    clock: () => clock,
    sendSignal: async () => undefined,
    expectedKey: () => new Promise(() => undefined), // never needed: no channel opens here
    newLinkId: (() => {
      let n = 0;
      return () => `link${String(++n).padStart(16, "0")}`;
    })(),
    createPeerConnection: createFakePeerConnection,
    peerPolicy: policy,
  });
}

let links = 0;
const offer = (nickname: string, device: number): SignalEvent => ({
  from: { nickname, deviceId: `${nickname}${String(device).padStart(20, "0")}`.slice(0, 40) },
  type: "offer",
  data: JSON.stringify({ v: 1, link: `remote${String(++links).padStart(16, "0")}`, sdp: "v=0\r\n" }),
});

const contacts = new Set(["alice"]);
const blocked = new Set(["troll"]);
const policy = (nickname: string): PeerPolicy => {
  const stranger = !contacts.has(nickname);
  return { blocked: blocked.has(nickname), stranger, iceTransportPolicy: stranger ? "relay" : "all" };
};

const opened: Connections[] = [];
const make = () => {
  const connections = tab(policy);
  opened.push(connections);
  return connections;
};
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  FakePeerConnection.made = [];
  jest.useRealTimers();
});

describe("strangers at arm's length", () => {
  it("64 offers from one stranger account take 4 links, and the tab stays open to everyone else", () => {
    const connections = make();
    for (let i = 0; i < 64; i++) connections.handleSignal(offer("mallory", i));
    expect(connections.of("mallory")).toHaveLength(MAX_STRANGER_LINKS_PER_ACCOUNT);
    expect(FakePeerConnection.made).toHaveLength(MAX_STRANGER_LINKS_PER_ACCOUNT);
    connections.handleSignal(offer("bob", 1));
    connections.handleSignal(offer("alice", 1));
    expect(connections.of("bob")).toHaveLength(1);
    expect(connections.of("alice")).toHaveLength(1);
    expect(connections.all()).toHaveLength(MAX_STRANGER_LINKS_PER_ACCOUNT + 2);
  });

  it("gives strangers relay-only ICE when a TURN server is configured, and contacts every route", () => {
    const connections = make();
    connections.handleSignal(offer("mallory", 1));
    connections.handleSignal(offer("alice", 1));
    const [stranger, contact] = FakePeerConnection.made;
    expect(stranger!.config).toMatchObject({ iceServers: TURN, iceTransportPolicy: "relay" });
    expect(contact!.config).toMatchObject({ iceTransportPolicy: "all" });
  });

  it("refuses a blocked sender before any WebRTC work", () => {
    const connections = make();
    for (let i = 0; i < 10; i++) connections.handleSignal(offer("troll", i));
    connections.dial("troll", ["troll0000000000000000001"]);
    expect(FakePeerConnection.made).toHaveLength(0);
    expect(connections.all()).toHaveLength(0);
  });

  it("when the tab is full, a contact takes the place of the stranger link idle the longest; a stranger only that of one idle 30 s", () => {
    const connections = make();
    const accounts = MAX_LINKS / MAX_STRANGER_LINKS_PER_ACCOUNT;
    for (let a = 0; a < accounts; a++) {
      for (let d = 0; d < MAX_STRANGER_LINKS_PER_ACCOUNT; d++) connections.handleSignal(offer(`sybil${a}`, d));
      clock += 100;
    }
    expect(connections.all()).toHaveLength(MAX_LINKS);
    connections.handleSignal(offer("latecomer", 1));
    expect(connections.of("latecomer")).toHaveLength(0); // nobody idle long enough to make room for a stranger
    connections.handleSignal(offer("alice", 1));
    expect(connections.of("alice")).toHaveLength(1);
    expect(connections.of("sybil0")).toHaveLength(MAX_STRANGER_LINKS_PER_ACCOUNT - 1); // the oldest went
    clock += STRANGER_EVICT_IDLE_MS;
    connections.handleSignal(offer("latecomer", 2));
    expect(connections.of("latecomer")).toHaveLength(1);
    expect(connections.all()).toHaveLength(MAX_LINKS);
  });

  it("closes a stranger's link that carried nothing for two minutes, and keeps a contact's", async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
    const tabs = makeTabs(["home", "mallory", "alice"], () => clock, (me) => (me === "home" ? policy : () => ({ blocked: false, stranger: false, iceTransportPolicy: "all" })));
    opened.push(...Object.values(tabs.tab));
    tabs.tab.mallory!.dial("home", [tabs.device("home")]);
    tabs.tab.alice!.dial("home", [tabs.device("home")]);
    const home = tabs.tab.home!;
    await until(() => home.all().length === 2 && home.all().every((c) => c.channel.isReady));
    expect(home.all().map((c) => [c.nickname, c.channel.isReady, c.stranger])).toEqual([
      ["mallory", true, true],
      ["alice", true, false],
    ]);
    const tick = async (ms: number) => {
      for (let left = ms; left > 0; left -= 1000) {
        const step = Math.min(1000, left);
        clock += step;
        jest.advanceTimersByTime(step);
        for (let i = 0; i < 5; i++) await flush();
      }
    };
    // A frame from the stranger counts as activity; rekeys (every 60 s meanwhile) do not.
    await tick(90_000);
    const [malloryToHome] = tabs.tab.mallory!.of("home");
    expect(tabs.tab.mallory!.send(malloryToHome!, { t: "ack", id: "A".repeat(22) })).toBe(true);
    for (let i = 0; i < 10; i++) await flush(); // arrives now, not a tick later
    await tick(STRANGER_IDLE_MS - 1000);
    expect(home.of("mallory")).toHaveLength(1);
    await tick(1000);
    expect(home.of("mallory")).toHaveLength(0);
    expect(home.of("alice").map((c) => c.channel.isReady)).toEqual([true]);
  });
});

describe("link admission and TURN detection", () => {
  it("caps per account and evicts only strangers", () => {
    const full = Array.from({ length: MAX_LINKS }, (_, i) => ({ nickname: `c${i % 8}`, stranger: false, lastActiveAt: i }));
    expect(admitLink(full, { nickname: "x", stranger: false }, 1000)).toEqual({ admit: false, reason: "full" });
    expect(admitLink([], { nickname: "x", stranger: true }, 0)).toEqual({ admit: true });
  });

  it("sees a TURN server among the page's ICE servers, in any of the URL forms", () => {
    expect(hasTurnServer(TURN)).toBe(true);
    expect(hasTurnServer([{ urls: "turns:turn.example.org:5349" }])).toBe(true);
    expect(hasTurnServer([{ urls: ["stun:a", "stun:b"] }])).toBe(false);
    expect(hasTurnServer([])).toBe(false);
  });
});

describe("contacts: messaged or accepted", () => {
  it("counts everyone this account ever wrote to as a contact on first load, and keeps accept and block", async () => {
    await enqueueOutgoing({ account: "carol", id: "AAAAAAAAAAAAAAAAAAAAAA", to: "dave", text: "hi", sentAt: 1, createdAt: 1 });
    const trust = new PeerTrust("carol");
    await trust.loaded;
    expect(trust.isContact("dave")).toBe(true);
    expect(trust.isContact("carol")).toBe(true); // the account's own devices
    expect(trust.isContact("erin")).toBe(false);
    await trust.accept("erin");
    await trust.block("mallory");
    const reloaded = new PeerTrust("carol");
    await reloaded.loaded;
    expect([reloaded.isContact("erin"), reloaded.isBlocked("mallory"), reloaded.isContact("mallory")]).toEqual([true, true, false]);
    await reloaded.accept("mallory"); // accepting unblocks
    expect(reloaded.isBlocked("mallory")).toBe(false);
    await expect(reloaded.block("carol")).rejects.toThrow(RangeError);
  });
});
