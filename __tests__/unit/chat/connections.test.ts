import { ROTATE_MS, REKEY_PERIODS } from "@/lib/crypto";
import { flush } from "../support/fake-link";
import { FakePeerConnection } from "../support/fake-webrtc";
import { makeTabs, until, type Tabs } from "../support/tabs";

// Connections between real tabs (in-memory WebRTC): the 60 s rotation, as
// enforced on a live connection, ends in a fresh handshake.

let clock = 1_700_000_000_000;
let tabs: Tabs | undefined;
afterEach(() => {
  tabs?.close();
  jest.useRealTimers();
});

const tick = async (ms: number) => {
  for (let left = ms; left > 0; left -= 1000) {
    clock += Math.min(1000, left);
    jest.advanceTimersByTime(Math.min(1000, left));
    for (let i = 0; i < 5; i++) await flush();
  }
};

describe("Connections and the enforced rotation", () => {
  it("cuts off a peer that stops answering rekeys within two periods of asking, then makes a fresh handshake", async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
    tabs = makeTabs(["ada", "bert"], () => clock);
    const { tab, device } = tabs;
    tab.ada!.dial("bert", [device("bert")]);
    await until(() => tab.ada!.of("bert")[0]?.channel.isReady === true && tab.bert!.of("ada")[0]?.channel.isReady === true);
    const first = tab.ada!.of("bert")[0]!;
    const failures: string[] = [];
    tab.ada!.failed.on(({ error }) => failures.push((error as { code?: string }).code ?? ""));
    // Bert's end of this connection goes deaf and dumb: it reads, but nothing it sends arrives.
    const bertChannel = (tab.bert!.of("ada")[0]!.link as unknown as { channel: { send: (b: Uint8Array) => void } }).channel;
    bertChannel.send = () => undefined;
    const made = FakePeerConnection.made.length;
    await tick(ROTATE_MS + REKEY_PERIODS * ROTATE_MS - 1000);
    expect(first.channel.isReady).toBe(true);
    await tick(1000);
    expect(first.channel.isReady).toBe(false);
    expect(failures).toEqual(["REKEY_UNANSWERED"]);
    // ...and a new connection, with a new handshake, replaces it.
    await until(() => tab.ada!.of("bert")[0]?.channel.isReady === true && tab.ada!.of("bert")[0] !== first);
    expect(FakePeerConnection.made.length).toBeGreaterThan(made);
    const fresh = tab.ada!.of("bert")[0]!;
    expect(fresh.channel.sessionId).not.toEqual(null);
    expect(tab.ada!.send(fresh, { t: "ack", id: "B".repeat(22) })).toBe(true);
  });
});

describe("a link prepared before the peer's devices are known", () => {
  it("sends nothing until the first dial binds it, and that dial uses it instead of making another", async () => {
    tabs = makeTabs(["ada", "bert"], () => clock);
    const { tab, device } = tabs;
    const made = FakePeerConnection.made.length;
    tab.ada!.prepare("bert");
    for (let i = 0; i < 10; i++) await flush();
    const prepared = FakePeerConnection.made.at(-1)!;
    expect(FakePeerConnection.made.length).toBe(made + 1);
    // Its offer is written, but nobody was told: bert has no connection.
    expect(prepared.localDescription?.type).toBe("offer");
    expect(tab.bert!.of("ada")).toEqual([]);
    expect(tab.ada!.of("bert")).toEqual([]);

    tab.ada!.dial("bert", [device("bert")]);
    await until(() => tab.ada!.of("bert")[0]?.channel.isReady === true && tab.bert!.of("ada")[0]?.channel.isReady === true);
    // One connection on ada's side, on the prepared one (bert made his own to answer).
    expect(FakePeerConnection.made.length).toBe(made + 2);
    expect(prepared.closed).toBe(false);
    expect(tab.ada!.send(tab.ada!.of("bert")[0]!, { t: "ack", id: "C".repeat(22) })).toBe(true);
  });

  it("is closed when the dial finds nobody online, and is never made for a blocked nickname", async () => {
    tabs = makeTabs(["ada", "bert", "troll"], () => clock, () => (nickname) => ({ blocked: nickname === "troll", stranger: false, iceTransportPolicy: "all" }));
    const { tab } = tabs;
    tab.ada!.prepare("bert");
    const prepared = FakePeerConnection.made.at(-1)!;
    tab.ada!.dial("bert", []);
    expect(prepared.closed).toBe(true);
    const made = FakePeerConnection.made.length;
    tab.ada!.prepare("troll");
    expect(FakePeerConnection.made.length).toBe(made);
  });
});

describe("Connections once closed", () => {
  it("opens nothing more: no dial, no prepared link, no answer to an offer", async () => {
    tabs = makeTabs(["ada", "bert"], () => clock);
    const { tab, device } = tabs;
    tab.ada!.dial("bert", [device("bert")]);
    await until(() => tab.ada!.of("bert")[0]?.channel.isReady === true && tab.bert!.of("ada")[0]?.channel.isReady === true);
    tab.bert!.close();
    await until(() => tab.ada!.of("bert").length === 0);
    const made = FakePeerConnection.made.length;
    tab.bert!.dial("ada", [device("ada")]);
    tab.bert!.prepare("ada");
    // ada (still open) dials the closed tab: its offer finds nobody to answer it.
    tab.ada!.dial("bert", [device("bert")]);
    for (let i = 0; i < 20; i++) await flush();
    expect(tab.bert!.of("ada")).toEqual([]);
    expect(FakePeerConnection.made.length).toBe(made + 1);
    expect(tab.ada!.of("bert")[0]?.channel.isReady).toBe(false);
  });
});
