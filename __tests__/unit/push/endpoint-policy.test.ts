import { allowedEndpoint, DEFAULT_PUSH_HOSTS, isPublicAddress, parseAllowedHosts } from "@/lib/push/endpoint-policy";

// Which push endpoints the server may fetch (issue 10, SSRF).

const defaults = parseAllowedHosts(undefined);
const allowed = (url: string, rules = defaults) => allowedEndpoint(url, rules) !== null;

describe("the push service allowlist", () => {
  it.each([
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QHh3",
    "https://api.push.apple.com/3/device/x",
    "https://wns2-by3p.notify.windows.com/w/?token=x",
    "https://FCM.googleapis.com/fcm/send/x",
  ])("accepts a browser's real push service: %s", (url) => {
    expect(allowed(url)).toBe(true);
  });

  it.each([
    ["plain http", "http://fcm.googleapis.com/fcm/send/x"],
    ["credentials", "https://user:pw@fcm.googleapis.com/fcm/send/x"],
    ["a lookalike host", "https://fcm.googleapis.com.evil.example/x"],
    ["a suffix without the dot", "https://evilpush.apple.com/x"],
    ["the bare wildcard domain", "https://push.apple.com/x"],
    ["another port", "https://fcm.googleapis.com:8443/x"],
    ["loopback", "https://127.0.0.1/x"],
    ["IPv6 loopback", "https://[::1]/x"],
    ["link-local metadata", "https://169.254.169.254/latest/meta-data/"],
    ["a name nobody listed", "https://intranet.corp/x"],
    ["not a URL", "fcm.googleapis.com/x"],
  ])("refuses %s", (_what, url) => {
    expect(allowed(url)).toBe(false);
  });

  it("is replaced by PUSH_ALLOWED_HOSTS, where `default` brings the default list back", () => {
    const own = parseAllowedHosts("push.example.org, *.push.example.net:8443");
    expect(allowed("https://push.example.org/x", own)).toBe(true);
    expect(allowed("https://a.push.example.net:8443/x", own)).toBe(true);
    expect(allowed("https://a.push.example.net/x", own)).toBe(false);
    expect(allowed("https://fcm.googleapis.com/x", own)).toBe(false);
    const both = parseAllowedHosts("default,push.example.org");
    expect(both).toHaveLength(DEFAULT_PUSH_HOSTS.length + 1);
    expect(allowed("https://fcm.googleapis.com/x", both) && allowed("https://push.example.org/x", both)).toBe(true);
  });

  it("marks entries that are addresses (the operator named that address) and parses IPv6", () => {
    expect(parseAllowedHosts("127.0.0.1:9443,[::1]:9443,push.example.org")).toEqual([
      { host: "127.0.0.1", port: 9443, isAddress: true },
      { host: "::1", port: 9443, isAddress: true },
      { host: "push.example.org", port: 443, isAddress: false },
    ]);
    expect(allowed("https://[::1]:9443/x", parseAllowedHosts("[::1]:9443"))).toBe(true);
    expect(() => parseAllowedHosts("push.example.org:99999")).toThrow(RangeError);
  });
});

describe("isPublicAddress", () => {
  it.each(["142.250.74.110", "17.253.144.10", "2a00:1450:4001:80e::200a", "8.8.8.8"])("allows %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "64:ff9b::a00:1",
    "2001:db8::1",
    "not an address",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});
