// Textual IP addresses to bytes and back, for XOR-MAPPED-ADDRESS. Accepts
// what Node's dgram reports as a sender (dotted quads, RFC 4291 §2.2 IPv6
// text, IPv4-mapped IPv6) and nothing else: anything odd is null.

export type IpBytes = { family: 4; bytes: Uint8Array } | { family: 6; bytes: Uint8Array };

export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

export function parseIPv6(text: string): Uint8Array | null {
  // A zone ("%eth0") belongs to the socket, not the address.
  const address = text.split("%")[0]!;
  if (address.length > 45) return null;
  let head = address;
  let tailV4: Uint8Array | null = null;
  const lastColon = address.lastIndexOf(":");
  if (address.includes(".", lastColon)) {
    tailV4 = parseIPv4(address.slice(lastColon + 1));
    if (!tailV4) return null;
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  if (tailV4) bytes.set(tailV4, 12);
  return bytes;
}

/** An address as the family it really is: IPv4-mapped IPv6 (::ffff:a.b.c.d, from a dual-stack socket) is IPv4. */
export function parseIp(text: string): IpBytes | null {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  if (!v6) return null;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

export function formatIp(ip: IpBytes): string {
  if (ip.family === 4) return Array.from(ip.bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start === -1) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}
