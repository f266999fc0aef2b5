import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";

// The names and addresses by which browsers reach this machine: what the
// HTTPS=1 certificate covers and what the start log offers to other devices.

export interface Reachable {
  names: string[];
  ips: string[];
}

/** This machine's non-internal interface addresses (IPv4 first), without link-local IPv6. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !(a.family === "IPv6" && a.address.startsWith("fe80:"))) found.push(a.address);
  }
  return found.sort((a, b) => isIP(a) - isIP(b));
}

/**
 * localhost, the host name (and its mDNS .local form), the public URL's host
 * and the bound address when specific, loopback and every LAN address.
 */
export function serverIdentity(opts: { host: string; publicUrl?: string }): Reachable {
  const names = new Set<string>(["localhost"]);
  const ips = new Set<string>(["127.0.0.1", "::1"]);
  const add = (value: string) => {
    const bare = value.replace(/^\[|\]$/g, "").toLowerCase();
    if (bare === "" || bare === "0.0.0.0" || bare === "::") return;
    (isIP(bare) ? ips : names).add(bare);
  };
  const machine = hostname().toLowerCase();
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(machine)) {
    names.add(machine);
    if (!machine.includes(".")) names.add(`${machine}.local`);
  }
  if (opts.publicUrl) add(new URL(opts.publicUrl).hostname);
  add(opts.host);
  for (const ip of lanAddresses()) add(ip);
  return { names: [...names], ips: [...ips] };
}
