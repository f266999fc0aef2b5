import { isIP } from "node:net";

// Which address a request came from, behind `trustedHops` reverse proxies.
// Each proxy appends the address it received the request from to
// X-Forwarded-For, so only the rightmost `trustedHops` entries were written by
// proxies we trust; everything to their left was written by the client and
// may be anything. Walking from the socket leftwards, one step per trusted
// proxy, gives the first address no client could choose (as Express's
// `trust proxy = N` does). Loaded by server.ts outside Next as well, so no
// "server-only" guard.

export function clientAddress(socketAddress: string, forwardedFor: string | null | undefined, trustedHops: number): string {
  if (trustedHops === 0 || !forwardedFor) return normalizeAddress(socketAddress);
  const hops = forwardedFor
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  // addresses[0] is the socket, addresses[i] the i-th entry from the right.
  const addresses = [socketAddress, ...hops.reverse()];
  return normalizeAddress(addresses[Math.min(trustedHops, addresses.length - 1)]!);
}

/**
 * One key per client for rate limits and connection caps: IPv4-mapped IPv6
 * becomes plain IPv4, and IPv6 is cut to its /64, the block one subscriber
 * usually gets (counting single IPv6 addresses would hand an attacker 2^64
 * fresh keys). Anything that is not an address stays as it is.
 */
export function normalizeAddress(address: string): string {
  let value = address.trim();
  // "[2001:db8::1]:443" and "198.51.100.7:443" as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
  if (mapped) return mapped[1]!;
  if (isIP(value) === 6) return `${expandIpv6(value).slice(0, 4).join(":")}::/64`;
  return value;
}

/** The eight 16-bit groups of an IPv6 address, lowercase, without leading zeros. */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split("::") as [string, string | undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  // An embedded IPv4 tail ("::ffff:1.2.3.4" forms) counts as two groups.
  const groups = (parts: string[]) =>
    parts.flatMap((p) => (p.includes(".") ? ((n) => [(n[0]! << 8) | n[1]!, (n[2]! << 8) | n[3]!].map((g) => g.toString(16)))(p.split(".").map(Number)) : [p]));
  const l = groups(left);
  const r = groups(right);
  const fill = tail === undefined ? [] : Array(8 - l.length - r.length).fill("0");
  return [...l, ...fill, ...r].map((g) => parseInt(g, 16).toString(16));
}
