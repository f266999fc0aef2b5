import { reachableUrls, selfHost, urlHost } from "@/lib/net/listen-address";

const interfaces = {
  lo: [
    { address: "127.0.0.1", family: "IPv4" as const, internal: true },
    { address: "::1", family: "IPv6" as const, internal: true },
  ],
  eth0: [
    { address: "192.0.2.7", family: "IPv4" as const, internal: false },
    { address: "2001:db8::7", family: "IPv6" as const, internal: false },
    { address: "fe80::1c2b:3ff:fe4d:5e6f", family: "IPv6" as const, internal: false },
  ],
  wlan0: [{ address: "198.51.100.20", family: 4, internal: false }],
  down: undefined,
};

describe("where the server reaches itself", () => {
  it.each([
    ["0.0.0.0", "127.0.0.1"],
    ["::", "[::1]"],
    ["127.0.0.2", "127.0.0.2"],
    ["192.0.2.7", "192.0.2.7"],
    ["2001:db8::7", "[2001:db8::7]"],
    ["localhost", "localhost"],
  ])("HOST=%s → %s", (host, self) => {
    expect(selfHost(host)).toBe(self);
  });
});

describe("the URLs others can use", () => {
  it("lists every external IPv4 address for 0.0.0.0", () => {
    expect(reachableUrls("0.0.0.0", 3000, interfaces)).toEqual(["http://192.0.2.7:3000", "http://198.51.100.20:3000"]);
  });

  it("adds global IPv6 addresses (not link-local ones) for ::", () => {
    expect(reachableUrls("::", 3000, interfaces)).toEqual(["http://192.0.2.7:3000", "http://[2001:db8::7]:3000", "http://198.51.100.20:3000"]);
  });

  it("names exactly the address or name bound otherwise", () => {
    expect(reachableUrls("203.0.113.10", 8080, interfaces)).toEqual(["http://203.0.113.10:8080"]);
    expect(reachableUrls("2001:db8::7", 8080, interfaces)).toEqual(["http://[2001:db8::7]:8080"]);
    expect(reachableUrls("chat.lan", 80, interfaces)).toEqual(["http://chat.lan:80"]);
  });

  it("brackets IPv6 literals once", () => {
    expect(urlHost("::1")).toBe("[::1]");
    expect(urlHost("[::1]")).toBe("[::1]");
    expect(urlHost("chat.example.org")).toBe("chat.example.org");
  });
});
