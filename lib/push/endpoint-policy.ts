import "server-only";
import { BlockList, isIP } from "node:net";

// Which push endpoints the server may fetch (issue 10, server-side request
// forgery). A subscription's endpoint is a URL a browser hands us and the
// server later requests on every ping, so an attacker could point it at the
// server's own network. Two checks:
//  1. when stored and again when used: https, no credentials, on a known push
//     service's host and port (DEFAULT_PUSH_HOSTS, or PUSH_ALLOWED_HOSTS);
//  2. when used: the host's addresses must all be public (not loopback,
//     private, link-local, ...); the connection then goes to the address that
//     was checked, never to a second DNS answer (rebinding).
// An entry of PUSH_ALLOWED_HOSTS that is itself an IP address is the
// operator naming that address, so it skips check 2 (tests point it at a
// local stand-in push service this way).

/** The push services of Chrome/Edge-on-Android/Opera/Brave (FCM), Firefox (Mozilla autopush), Safari (Apple) and Edge (WNS). */
export const DEFAULT_PUSH_HOSTS = [
  "fcm.googleapis.com",
  "android.googleapis.com",
  "updates.push.services.mozilla.com",
  "push.services.mozilla.com",
  "web.push.apple.com",
  "*.push.apple.com",
  "*.notify.windows.com",
] as const;

export interface HostRule {
  /** Lowercase hostname, "*.suffix" for any subdomain of suffix, or an IP address. */
  host: string;
  port: number;
  isAddress: boolean;
}

/** Parses PUSH_ALLOWED_HOSTS: comma-separated `host[:port]`, `*.domain[:port]`, `[v6]:port`; `default` stands for the default list. */
export function parseAllowedHosts(setting: string | undefined): HostRule[] {
  const entries = (setting ?? "default").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  const rules: HostRule[] = [];
  for (const entry of entries) {
    if (entry === "default") {
      rules.push(...DEFAULT_PUSH_HOSTS.map((host) => ({ host, port: 443, isAddress: false })));
      continue;
    }
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!match) throw new RangeError(`PUSH_ALLOWED_HOSTS: ${JSON.stringify(entry)} is not host[:port]`);
    const host = match[1]!.replace(/^\[|\]$/g, "");
    const port = match[2] === undefined ? 443 : Number(match[2]);
    if (port < 1 || port > 65535) throw new RangeError(`PUSH_ALLOWED_HOSTS: port ${port} is out of range`);
    rules.push({ host, port, isAddress: isIP(host) !== 0 });
  }
  return rules;
}

export interface AllowedEndpoint {
  url: URL;
  /** The hostname without IPv6 brackets. */
  hostname: string;
  port: number;
  rule: HostRule;
}

/** The endpoint and the rule that allows it, or null: not https, credentials, or no rule for its host and port. */
export function allowedEndpoint(endpoint: string, rules: HostRule[]): AllowedEndpoint | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "") return null;
  const hostname = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port === "" ? 443 : Number(url.port);
  const rule = rules.find((r) => r.port === port && (r.host.startsWith("*.") ? hostname.endsWith(r.host.slice(1)) && hostname.length > r.host.length - 1 : r.host === hostname));
  return rule ? { url, hostname, port, rule } : null;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata at 169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/**
 * True for an address a push service may have: not loopback, private,
 * link-local, multicast or reserved. (Node's BlockList checks IPv4-mapped IPv6
 * addresses, "::ffff:7f00:1" too, against the IPv4 rules.)
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  return !blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}
