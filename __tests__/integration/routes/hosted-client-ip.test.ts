import { CLIENT_IP_HEADER } from "@/lib/http/headers";

// Under `next start` (no server.ts), nothing stamps the socket address into
// CLIENT_IP_HEADER, so a client can write it: the hosted path must not
// believe it, and takes the address from the trusted proxies' X-Forwarded-For.

Object.assign(process.env, { NEXTAUTH_SECRET: "s".repeat(40), PUSHER_APP_ID: "1", PUSHER_KEY: "k", PUSHER_SECRET: "p", VAPID_PUBLIC_KEY: "v", VAPID_PRIVATE_KEY: "w", TRUST_PROXY: "1" });
const { clientIp } = require("@/lib/http/client-ip") as typeof import("@/lib/http/client-ip");

const request = (headers: Record<string, string>) => ({ headers: new Headers(headers) });

it("ignores a client-written CLIENT_IP_HEADER and reads the proxy's X-Forwarded-For entry", () => {
  // Attacker: a forged stamp and a forged left-most X-Forwarded-For entry; the platform's proxy appended the real address.
  expect(clientIp(request({ [CLIENT_IP_HEADER]: "203.0.113.99", "x-forwarded-for": "198.51.100.1, 198.51.100.23" }))).toBe("198.51.100.23");
  // Without a proxy entry there is no trustworthy address: one shared key, never the forged one.
  expect(clientIp(request({ [CLIENT_IP_HEADER]: "203.0.113.99" }))).toBe("unknown");
});
