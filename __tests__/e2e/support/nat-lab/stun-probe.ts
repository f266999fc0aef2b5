// A tiny STUN client, run inside a lab namespace (`ip netns exec NS node
// tsx/cli stun-probe.ts HOST:PORT...`): from ONE UDP socket it asks each
// server which address and port it sees, and prints them as JSON. The same
// mapping for every destination is endpoint-independent (a cone NAT); a new
// one per destination is a symmetric NAT.
import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { ATTR, decodeXorMappedAddress, encodeStunMessage, METHOD_BINDING, parseStunMessage } from "../../../../lib/stun/message";

const RETRY_MS = 250;
const GIVE_UP_MS = 5_000;

async function main(): Promise<void> {
  const targets = process.argv.slice(2).map((t) => {
    const at = t.lastIndexOf(":");
    return { host: t.slice(0, at), port: Number(t.slice(at + 1)) };
  });
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const results: ({ address: string; port: number } | null)[] = targets.map(() => null);
  const ids = targets.map(() => randomBytes(12));
  socket.on("message", (bytes) => {
    const parsed = parseStunMessage(bytes);
    if (!parsed.ok || parsed.message.cls !== "success") return;
    const index = ids.findIndex((id) => id.equals(parsed.message.transactionId));
    const attribute = parsed.message.attributes.find((a) => a.type === ATTR.XOR_MAPPED_ADDRESS);
    if (index === -1 || !attribute) return;
    const mapped = decodeXorMappedAddress(attribute.value, parsed.message.transactionId);
    if (mapped) results[index] = { address: mapped.address, port: mapped.port };
  });
  const deadline = Date.now() + GIVE_UP_MS;
  while (results.some((r) => r === null) && Date.now() < deadline) {
    targets.forEach((t, i) => {
      if (results[i] === null) socket.send(encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId: ids[i]!, attributes: [] }), t.port, t.host);
    });
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
  const local = socket.address().port;
  socket.close();
  process.stdout.write(`${JSON.stringify({ localPort: local, mapped: results })}\n`);
}

void main();
