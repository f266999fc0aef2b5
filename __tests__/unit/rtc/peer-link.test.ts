import { openTimeoutMs } from "@/lib/rtc/limits";
import { PeerLink, type LinkError, type OutgoingSignal } from "@/lib/rtc/peer-link";
import { flush } from "../support/fake-link";
import { createFakePeerConnection, FakePeerConnection } from "../support/fake-webrtc";
import { until } from "../support/tabs";

// PeerLink through the injectable RTCPeerConnection stand-in: perfect
// negotiation between two links (either may offer, both may at once), bytes
// in order once the channel opens, "bye" ending the other side, a link made
// ahead holding its offer until it is bound, and the timers and caps that
// end a link that goes nowhere.

interface End {
  link: PeerLink;
  sent: OutgoingSignal[];
  closedWith: (LinkError | null)[];
  received: string[];
}

let ids = 0;
const links: PeerLink[] = [];
afterEach(() => {
  links.splice(0).forEach((link) => link.close());
  jest.useRealTimers();
});

function end(polite: boolean, deliver?: (signal: OutgoingSignal) => void, opts: { ahead?: boolean } = {}): End {
  const sent: OutgoingSignal[] = [];
  const link = new PeerLink({
    linkId: `link${String(++ids).padStart(20, "0")}`,
    polite,
    iceServers: [],
    createPeerConnection: createFakePeerConnection,
    sendSignal: opts.ahead ? undefined : (signal) => (sent.push(signal), deliver?.(signal)),
  });
  links.push(link);
  const e: End = { link, sent, closedWith: [], received: [] };
  link.closed.on((error) => e.closedWith.push(error));
  link.message.on((bytes) => e.received.push(new TextDecoder().decode(bytes)));
  return e;
}

/** Two links whose signals reach each other (on later turns, as the server's would). */
function pair(): { impolite: End; polite: End } {
  const ends: { impolite?: End; polite?: End } = {};
  const to = (other: () => End | undefined) => (signal: OutgoingSignal) => setImmediate(() => void other()?.link.handleSignal(signal.type, signal.payload));
  ends.impolite = end(false, to(() => ends.polite));
  ends.polite = end(true, to(() => ends.impolite));
  return ends as { impolite: End; polite: End };
}

const text = (s: string) => new TextEncoder().encode(s);

describe("PeerLink", () => {
  it("both sides offer at once (each made its data channel): the polite side yields, one negotiation wins, and both channels open", async () => {
    const { impolite, polite } = pair();
    await until(() => impolite.link.isOpen && polite.link.isOpen);
    const offers = [...impolite.sent, ...polite.sent].filter((s) => s.type === "offer");
    // Both offered: this was a collision, not one side dialing.
    expect(offers.length).toBe(2);
    // The polite side answered the impolite side's offer; the impolite side answered nothing.
    expect(polite.sent.some((s) => s.type === "answer")).toBe(true);
    expect(impolite.sent.some((s) => s.type === "answer")).toBe(false);
    await until(() => impolite.link.state === "direct" && polite.link.state === "direct");
    expect(impolite.link.remoteLinkId).toBe(polite.link.linkId);
  });

  it("carries bytes in order once open, and refuses to send before", async () => {
    const { impolite, polite } = pair();
    expect(() => impolite.link.send(text("too early"))).toThrow(expect.objectContaining({ code: "ERR_NOT_OPEN" }));
    await until(() => impolite.link.isOpen && polite.link.isOpen);
    for (let i = 0; i < 20; i++) impolite.link.send(text(`m${i}`));
    await until(() => polite.received.length === 20);
    expect(polite.received).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it("closing with notify sends one bye, however often it is closed; a bye that arrives closes the link without an error", async () => {
    const { impolite, polite } = pair();
    await until(() => impolite.link.isOpen && polite.link.isOpen);
    impolite.link.close({ notify: true });
    impolite.link.close({ notify: true });
    expect(impolite.sent.filter((s) => s.type === "bye")).toEqual([{ type: "bye", payload: expect.objectContaining({ link: impolite.link.linkId }) }]);
    // The bye alone (no data channel closing with it, as for a link that never opened) ends the other side.
    const other = pair();
    await until(() => other.impolite.link.isOpen && other.polite.link.isOpen);
    await other.polite.link.handleSignal("bye", { v: 1, link: other.impolite.link.linkId });
    expect(other.polite.closedWith).toEqual([null]);
    expect(other.polite.link.state).toBe("offline");
    expect(other.polite.link.isOpen).toBe(false);
  });

  it("a link made ahead holds its offer until bound, then sends it once, and opens with the answer", async () => {
    const ahead = end(false, undefined, { ahead: true });
    for (let i = 0; i < 10; i++) await flush();
    // Its offer is made (the fake's negotiation ran), but nothing left.
    expect(ahead.sent).toEqual([]);
    const bound: OutgoingSignal[] = [];
    const answerer = end(true, (signal) => setImmediate(() => void ahead.link.handleSignal(signal.type, signal.payload)));
    ahead.link.bind({
      polite: false,
      sendSignal: (signal) => {
        bound.push(signal);
        setImmediate(() => void answerer.link.handleSignal(signal.type, signal.payload));
      },
    });
    await until(() => ahead.link.isOpen && answerer.link.isOpen);
    expect(bound.filter((s) => s.type === "offer")).toHaveLength(1);
    expect(() => ahead.link.bind({ polite: false, sendSignal: () => undefined })).toThrow(TypeError);
  });

  it(`gives up with ERR_OPEN_TIMEOUT when its channel has not opened ${openTimeoutMs / 1000} s after it started`, async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
    const lonely = end(false, () => undefined);
    await jest.advanceTimersByTimeAsync(openTimeoutMs - 1);
    expect(lonely.closedWith).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(lonely.closedWith.map((e) => e?.code)).toEqual(["ERR_OPEN_TIMEOUT"]);
    // It told the other side (a bye), so a half-made link there ends too.
    expect(lonely.sent.at(-1)?.type).toBe("bye");
  });

  it("ends with ERR_QUEUE_FULL when a peer floods it with signals faster than they apply", async () => {
    const target = end(true, () => undefined);
    const made = FakePeerConnection.made.at(-1)!;
    // Remote descriptions that never settle: every signal waits behind the first.
    made.setRemoteDescription = () => new Promise(() => undefined);
    const offer = { v: 1 as const, link: "flood00000000000000000000", sdp: "v=0\r\n" };
    for (let i = 0; i < 500 && target.closedWith.length === 0; i++) void target.link.handleSignal("offer", offer);
    expect(target.closedWith.map((e) => e?.code)).toEqual(["ERR_QUEUE_FULL"]);
  });
});
