import { iceConnectTimeoutMs, minIceCheckMs, openTimeoutMs } from "@/lib/rtc/limits";
import { LinkError, PeerLink, type OutgoingSignal } from "@/lib/rtc/peer-link";
import { FakePeerConnection } from "../support/fake-peer-connection";

// How a link tells "unreachable from this network" (the peer answered, no
// candidate pair ever worked) from a peer that never answers and from a
// working link that lost its path, through an injected RTCPeerConnection.

const REMOTE = "remote-link-0000000001";

function setUp() {
  FakePeerConnection.all = [];
  const signals: OutgoingSignal[] = [];
  const link = new PeerLink({
    linkId: "local-link-00000000001",
    polite: true,
    iceServers: [{ urls: "stun:stun.example:3478" }],
    sendSignal: (s) => signals.push(s),
    createPeerConnection: FakePeerConnection.create,
    clock: () => Date.now(),
  });
  const pc = FakePeerConnection.all[0]!;
  let closedWith: LinkError | null | undefined;
  link.closed.on((error) => (closedWith = error));
  const states: string[] = [];
  link.stateChanged.on((s) => states.push(s));
  return { link, pc, signals, states, closed: () => closedWith };
}

/** The remote side's offer arrives and is answered: from now on ICE has pairs to check. */
async function answered(link: PeerLink) {
  await link.handleSignal("offer", { v: 1, link: REMOTE, sdp: "v=0 remote offer" });
}

/** Lets queued promise callbacks run under fake timers. */
async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ["queueMicrotask", "nextTick"] }));
afterEach(() => jest.useRealTimers());

describe("reachability of a peer link", () => {
  it("calls the peer unreachable as soon as ICE fails without ever connecting, without restarting ICE", async () => {
    const { link, pc, closed } = setUp();
    await answered(link);
    pc.setIce("checking");
    pc.setIce("failed");
    expect(closed()).toBeInstanceOf(LinkError);
    expect(closed()!.code).toBe("ERR_UNREACHABLE");
    expect(pc.restartIceCalls).toBe(0);
    expect(pc.closed).toBe(true);
  });

  it(`calls it unreachable when no candidate pair succeeds within ${iceConnectTimeoutMs / 1000} s of the start`, async () => {
    const { link, pc, closed } = setUp();
    await answered(link);
    pc.setIce("checking");
    jest.advanceTimersByTime(iceConnectTimeoutMs - 1);
    expect(closed()).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(closed()!.code).toBe("ERR_UNREACHABLE");
  });

  it(`gives an answer that came late at least ${minIceCheckMs / 1000} s of checking`, async () => {
    const { link, pc, closed } = setUp();
    jest.advanceTimersByTime(iceConnectTimeoutMs - 1_000);
    await answered(link);
    pc.setIce("checking");
    jest.advanceTimersByTime(1_000);
    expect(closed()).toBeUndefined();
    jest.advanceTimersByTime(minIceCheckMs - 1_001);
    expect(closed()).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(closed()!.code).toBe("ERR_UNREACHABLE");
  });

  it("does not call a peer that never answered unreachable: it times out as not answering", async () => {
    const { pc, closed } = setUp();
    await settle();
    expect(pc.localDescription?.type).toBe("offer");
    jest.advanceTimersByTime(iceConnectTimeoutMs);
    expect(closed()).toBeUndefined();
    jest.advanceTimersByTime(openTimeoutMs - iceConnectTimeoutMs);
    expect(closed()!.code).toBe("ERR_OPEN_TIMEOUT");
  });

  it("keeps a link that connected in time, past the deadline", async () => {
    const { link, pc, closed, states } = setUp();
    await answered(link);
    pc.setIce("checking");
    pc.setIce("connected");
    pc.openChannel();
    await settle();
    jest.advanceTimersByTime(openTimeoutMs * 2);
    expect(closed()).toBeUndefined();
    expect(link.isOpen).toBe(true);
    expect(states).toEqual(["direct"]);
  });

  it("restarts ICE when a link that worked fails, instead of calling the peer unreachable", async () => {
    const { link, pc, closed } = setUp();
    await answered(link);
    pc.setIce("connected");
    pc.openChannel();
    pc.setIce("failed");
    expect(pc.restartIceCalls).toBe(1);
    expect(closed()).toBeUndefined();
    expect(link.state).toBe("connecting");
    pc.setIce("connected");
    jest.advanceTimersByTime(openTimeoutMs * 2);
    expect(closed()).toBeUndefined();
  });

  it("restarts ICE at once when the device's network changes, and not on a link that never connected", async () => {
    const fresh = setUp();
    await answered(fresh.link);
    fresh.link.networkChanged();
    expect(fresh.pc.restartIceCalls).toBe(0);

    const { link, pc } = setUp();
    await answered(link);
    pc.setIce("connected");
    pc.openChannel();
    link.networkChanged();
    expect(pc.restartIceCalls).toBe(1);
    expect(link.state).toBe("connecting");
  });

  it("takes renewed ICE servers for the next gathering, and gathers again at once only when relayed", async () => {
    const direct = setUp();
    await answered(direct.link);
    direct.pc.setIce("connected");
    direct.pc.openChannel();
    await settle();
    const renewed = [{ urls: "turn:turn.example:3478", username: "2000000000:dev", credential: "c2" }];
    direct.link.updateIceServers(renewed);
    expect(direct.pc.configurations.at(-1)?.iceServers).toEqual(renewed);
    expect(direct.pc.restartIceCalls).toBe(0);

    const relayed = setUp();
    relayed.pc.relayed = true;
    await answered(relayed.link);
    relayed.pc.setIce("connected");
    relayed.pc.openChannel();
    await settle();
    expect(relayed.link.state).toBe("relayed");
    relayed.link.updateIceServers(renewed);
    expect(relayed.pc.configurations.at(-1)?.iceServers).toEqual(renewed);
    expect(relayed.pc.restartIceCalls).toBe(1);
  });
});
