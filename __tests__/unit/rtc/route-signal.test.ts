import { routeSignal } from "@/lib/rtc/route-signal";
import { parseSignalPayload, type SignalPayload } from "@/lib/rtc/signal-payload";

const ours = "ourlink-0123456789abc";
const theirs = "theirlink-0123456789a";
const theirNew = "theirlink-new-0123456";
const p = (link: string, peer?: string): SignalPayload => ({ v: 1, link, ...(peer ? { peer } : {}), sdp: "v=0" });

describe("routeSignal", () => {
  it("creates a connection only for a fresh offer", () => {
    expect(routeSignal(undefined, "offer", p(theirs))).toBe("create");
    expect(routeSignal(undefined, "answer", p(theirs, ours))).toBe("ignore");
    expect(routeSignal(undefined, "candidate", p(theirs))).toBe("ignore");
    expect(routeSignal(undefined, "bye", p(theirs))).toBe("ignore");
    // An offer naming a link of ours that no longer exists (an ICE restart of a dead link).
    expect(routeSignal(undefined, "offer", p(theirs, ours))).toBe("ignore");
  });

  it("delivers to the live link, binding the remote link on first contact", () => {
    expect(routeSignal({ linkId: ours, remoteLinkId: null }, "answer", p(theirs, ours))).toBe("deliver");
    expect(routeSignal({ linkId: ours, remoteLinkId: null }, "offer", p(theirs))).toBe("deliver"); // both dialed at once
    expect(routeSignal({ linkId: ours, remoteLinkId: theirs }, "candidate", p(theirs, ours))).toBe("deliver");
    expect(routeSignal({ linkId: ours, remoteLinkId: theirs }, "bye", p(theirs, ours))).toBe("deliver");
  });

  it("replaces the connection when the peer comes back with a new link (it reloaded)", () => {
    expect(routeSignal({ linkId: ours, remoteLinkId: theirs }, "offer", p(theirNew))).toBe("replace");
  });

  it("ignores leftovers of links that are gone, on either side", () => {
    expect(routeSignal({ linkId: ours, remoteLinkId: theirNew }, "candidate", p(theirs, ours))).toBe("ignore");
    expect(routeSignal({ linkId: ours, remoteLinkId: theirNew }, "bye", p(theirs, ours))).toBe("ignore");
    expect(routeSignal({ linkId: ours, remoteLinkId: theirs }, "offer", p(theirs, "an-old-link-of-ours"))).toBe("ignore");
    // A bye from the remote's old link must not end a link that never heard from the new one.
    expect(routeSignal({ linkId: ours, remoteLinkId: null }, "bye", p(theirs))).toBe("ignore");
  });
});

describe("signal payload", () => {
  it("parses what PeerLink sends and refuses anything else", () => {
    expect(parseSignalPayload(JSON.stringify({ v: 1, link: theirs, candidate: { candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 } }))).not.toBeNull();
    expect(parseSignalPayload("not json")).toBeNull();
    expect(parseSignalPayload(JSON.stringify({ v: 2, link: theirs }))).toBeNull();
    expect(parseSignalPayload(JSON.stringify({ v: 1, link: "x" }))).toBeNull();
    expect(parseSignalPayload(JSON.stringify({ v: 1, link: theirs, sdp: "x".repeat(8 * 1024) }))).toBeNull();
  });
});
