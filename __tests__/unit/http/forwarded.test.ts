import { clientAddress, normalizeAddress } from "@/lib/http/forwarded";

// TRUST_PROXY=N: the client is the address N hops in from the socket, read
// from the right of X-Forwarded-For; whatever a client wrote further left is
// never used (issue 10).

describe("clientAddress", () => {
  it("uses the socket and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(clientAddress("192.0.2.9", "203.0.113.7", 0)).toBe("192.0.2.9");
  });

  it("takes the entry the one trusted proxy appended, never the leftmost a client wrote", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "1.1.1.1,2.2.2.2 , 203.0.113.7", 1)).toBe("203.0.113.7");
  });

  it("walks one entry per trusted hop", () => {
    // client → CDN (appends client) → load balancer (appends CDN) → app
    expect(clientAddress("10.0.0.3", "6.6.6.6, 198.51.100.20, 10.0.0.1", 2)).toBe("198.51.100.20");
    expect(clientAddress("10.0.0.3", "6.6.6.6, 198.51.100.20, 10.0.0.1", 3)).toBe("6.6.6.6");
  });

  it("stops at the leftmost entry when the header is shorter than the trusted chain, and falls back to the socket without one", () => {
    expect(clientAddress("10.0.0.3", "198.51.100.20", 2)).toBe("198.51.100.20");
    expect(clientAddress("10.0.0.3", "", 2)).toBe("10.0.0.3");
    expect(clientAddress("10.0.0.3", null, 1)).toBe("10.0.0.3");
    expect(clientAddress("10.0.0.3", " , ", 1)).toBe("10.0.0.3");
  });
});

describe("normalizeAddress", () => {
  it.each([
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["192.0.2.1:51234", "192.0.2.1"],
    ["[2001:db8::1]:443", "2001:db8:0:0::/64"],
    ["2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"],
    ["2001:DB8:abcd:0012::ffff", "2001:db8:abcd:12::/64"],
    ["::1", "0:0:0:0::/64"],
    ["unknown", "unknown"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it("gives every address of one IPv6 /64 the same key, so rotating addresses buys nothing", () => {
    const keys = new Set(Array.from({ length: 50 }, (_, i) => normalizeAddress(`2001:db8:1:2:${i.toString(16)}:0:0:${(i * 7).toString(16)}`)));
    expect([...keys]).toEqual(["2001:db8:1:2::/64"]);
  });
});
