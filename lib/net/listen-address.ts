// Where the server reaches itself, and where other machines reach it, given
// the address it listens on (HOST). Pure: the interface list is passed in.

/** One entry of os.networkInterfaces(), as far as this module needs it. */
export interface InterfaceAddress {
  address: string;
  family: "IPv4" | "IPv6" | number;
  internal: boolean;
}

const isV6 = (address: string) => address.includes(":");
const familyOf = (entry: InterfaceAddress) => (entry.family === "IPv6" || entry.family === 6 ? 6 : 4);

/** An address or name as it goes between "http://" and ":port" (IPv6 literals in brackets). */
export function urlHost(address: string): string {
  if (address.startsWith("[")) return address;
  return isV6(address) ? `[${address}]` : address;
}

/** Whether HOST means "every interface". */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * The address this process reaches its own listener on: loopback when it
 * listens on every interface (on "::" the IPv6 one, which a dual-stack socket
 * always has), otherwise exactly the address or name it bound, since a server
 * bound to 192.0.2.7 does not answer on 127.0.0.1.
 */
export function selfHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return urlHost(host);
}

/**
 * The URLs other machines can use: for a wildcard, every non-internal address
 * of the machine's interfaces (IPv4 only for 0.0.0.0; IPv6 link-local ones
 * left out, since a browser cannot use them without a zone); for a specific
 * address or name, that one.
 */
export function reachableUrls(host: string, port: number, interfaces: Record<string, InterfaceAddress[] | undefined>, scheme: "http" | "https" = "http"): string[] {
  if (!isWildcard(host)) return [`${scheme}://${urlHost(host)}:${port}`];
  const urls: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (familyOf(entry) === 6 && (host === "0.0.0.0" || /^fe[89ab]/i.test(entry.address))) continue;
      urls.push(`${scheme}://${urlHost(entry.address)}:${port}`);
    }
  }
  return [...new Set(urls)];
}
