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
