import "fake-indexeddb/auto";
import { Connections } from "@/lib/chat/connections";
import { generateIdentity } from "@/lib/crypto";
import type { SignalRequest } from "@/lib/signaling/schemas";
import { RelayError, requestLogs } from "@/lib/relay/log-requester";
import { openTimeoutMs } from "@/lib/rtc/limits";
import { FakePeerConnection } from "../support/fake-peer-connection";
import { flush, seededRandom } from "../support/fake-link";

// "Unreachable" above the link: the conversation header keeps saying so while
// redials run (instead of cycling connecting → offline), until the network
// changes or a connection works; log retrieval reports it as its own failure.

const REMOTE = "bobs-link-000000000001";
let ids = 0;

function connections() {
  FakePeerConnection.all = [];
  const sent: SignalRequest[] = [];
  const c = new Connections({
    local: { identity: generateIdentity(seededRandom(7)), nickname: "alice", deviceId: "alice-phone" },
    iceServers: () => [{ urls: "stun:stun.example:3478" }],
    random: seededRandom(8),
    clock: Date.now,
    sendSignal: async (request) => void sent.push(request),
    expectedKey: () => new Promise<Uint8Array>(() => undefined),
    newLinkId: () => `alice-link-${String(++ids).padStart(11, "0")}`,
    createPeerConnection: FakePeerConnection.create,
  });
  return { c, sent };
}

/** Bob's device answers the offer of our newest link. */
async function bobAnswers(c: Connections) {
  for (let i = 0; i < 5; i++) await flush();
  const link = c.of("bob")[0]!.link;
  c.handleSignal({ from: { nickname: "bob", deviceId: "bob-home" }, type: "answer", data: JSON.stringify({ v: 1, link: REMOTE, peer: link.linkId, sdp: "v=0 answer" }) });
  for (let i = 0; i < 5; i++) await flush();
}

const lastPc = () => FakePeerConnection.all.at(-1)!;

describe("an unreachable peer", () => {
  it("shows as unreachable, through redials, until this device's network changes", async () => {
    const { c } = connections();
    const unreachable: string[] = [];
    c.unreachable.on((connection) => unreachable.push(connection.deviceId));
    c.dial("bob", ["bob-home"]);
    expect(c.summary("bob")).toBe("connecting");
    await bobAnswers(c);
    lastPc().setIce("failed");
    expect(unreachable).toEqual(["bob-home"]);
    expect(c.of("bob")).toHaveLength(0);
    expect(c.summary("bob")).toBe("unreachable");

    // The presence watch dials again: still "unreachable", not "connecting".
    c.dial("bob", ["bob-home"]);
    expect(c.of("bob")).toHaveLength(1);
    expect(c.summary("bob")).toBe("unreachable");

    c.networkChanged();
    expect(c.summary("bob")).toBe("connecting");
    c.close();
  });

  it("is not what a peer that never answers becomes: that one ends offline", async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "nextTick", "setImmediate"] });
    try {
      const { c } = connections();
      const unreachable: string[] = [];
      c.unreachable.on((connection) => unreachable.push(connection.deviceId));
      c.dial("bob", ["bob-home"]);
      for (let i = 0; i < 5; i++) await flush();
      expect(c.of("bob")).toHaveLength(1);
      jest.advanceTimersByTime(openTimeoutMs);
      expect(c.of("bob")).toHaveLength(0);
      expect(unreachable).toEqual([]);
      expect(c.summary("bob")).toBe("offline");
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("log retrieval from an unreachable home", () => {
  it("fails with its own reason, not as a slow or offline home", async () => {
    const { c } = connections();
    const deps = {
      account: "alice",
      deviceId: "alice-phone",
      connections: c,
      random: seededRandom(3),
      clock: Date.now,
      homeDevice: async () => "alice-home",
      homePin: { load: async () => null, save: async () => undefined },
    };
    const request = requestLogs(deps, { op: "retrieve", passphrase: "a passphrase long enough" });
    for (let i = 0; i < 10 && c.of("alice").length === 0; i++) await flush();
    const link = c.of("alice")[0]!.link;
    for (let i = 0; i < 5; i++) await flush();
    c.handleSignal({ from: { nickname: "alice", deviceId: "alice-home" }, type: "answer", data: JSON.stringify({ v: 1, link: REMOTE, peer: link.linkId, sdp: "v=0 answer" }) });
    for (let i = 0; i < 5; i++) await flush();
    lastPc().setIce("failed");
    const error = await request.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect((error as RelayError).reason).toBe("unreachable");
    expect((error as RelayError).message).toMatch(/^Couldn't reach the home relay from this network\..*TURN server is needed/);
    c.close();
  });
});
