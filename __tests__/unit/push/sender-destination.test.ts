// The sender's last check before any byte leaves (issue 10, SSRF): every
// address a push host resolves to must be public, and the connection goes to
// the address that was checked, whatever a second DNS answer would say.
Object.assign(process.env, {
  NEXTAUTH_SECRET: "s".repeat(32),
  PUSHER_APP_ID: "1",
  PUSHER_KEY: "k",
  PUSHER_SECRET: "p",
  VAPID_PUBLIC_KEY: "v",
  VAPID_PRIVATE_KEY: "w",
  PUSH_ALLOWED_HOSTS: "default,push.example.org,127.0.0.1:9443",
});
const { checkedDestination, pinnedLookup } = require("@/lib/push/sender") as typeof import("@/lib/push/sender");

const PUBLIC = "142.250.74.110";
const answers = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("checkedDestination", () => {
  it("resolves an allowed host to a public address", async () => {
    expect(await checkedDestination("https://fcm.googleapis.com/fcm/send/x", answers(PUBLIC))).toEqual({ address: PUBLIC, family: 4 });
  });

  it.each([
    ["loopback", ["127.0.0.1"]],
    ["the metadata service", ["169.254.169.254"]],
    ["one private address among public ones", [PUBLIC, "10.0.0.7"]],
    ["IPv6 loopback", ["::1"]],
    ["IPv4-mapped loopback", ["::ffff:127.0.0.1"]],
    ["nothing", []],
  ])("refuses an allowed name that resolves to %s", async (_what, addresses) => {
    expect(await checkedDestination("https://push.example.org/x", answers(...addresses))).toBeNull();
  });

  it("refuses a name that does not resolve, and any host or port not allowed, without resolving it", async () => {
    expect(await checkedDestination("https://push.example.org/x", () => Promise.reject(new Error("ENOTFOUND")))).toBeNull();
    const resolve = jest.fn(answers(PUBLIC));
    expect(await checkedDestination("https://intranet.example.org/x", resolve)).toBeNull();
    expect(await checkedDestination("https://push.example.org:8443/x", resolve)).toBeNull();
    expect(resolve).not.toHaveBeenCalled();
  });

  it("takes an address the operator named as it is", async () => {
    const resolve = jest.fn(answers(PUBLIC));
    expect(await checkedDestination("https://127.0.0.1:9443/push/x", resolve)).toEqual({ address: "127.0.0.1", family: 4 });
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe("pinnedLookup", () => {
  it("answers every lookup with the checked address, so a rebinding DNS answer is never used", () => {
    const lookup = pinnedLookup(PUBLIC, 4) as unknown as (h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) => void;
    const single = jest.fn();
    const all = jest.fn();
    lookup("push.example.org", {}, single);
    lookup("push.example.org", { all: true }, all);
    expect(single).toHaveBeenCalledWith(null, PUBLIC, 4);
    expect(all).toHaveBeenCalledWith(null, [{ address: PUBLIC, family: 4 }]);
  });
});
