import { Connections, type PeerPolicy } from "@/lib/chat/connections";
import { generateIdentity, type DeviceIdentity } from "@/lib/crypto";
import { flush, seededRandom } from "./fake-link";
import { createFakePeerConnection } from "./fake-webrtc";

// Browser tabs of several people, each with its real Connections (PeerLink,
// secure channel), over the in-memory WebRTC stand-in and a signaling bus
// that stamps the sender as the server does. One device per person.

export interface Tabs {
  tab: Record<string, Connections>;
  ids: Record<string, DeviceIdentity>;
  device: (person: string) => string;
  close(): void;
}

const OPEN_DOOR: PeerPolicy = { blocked: false, stranger: false, iceTransportPolicy: "all" };

export function makeTabs(people: readonly string[], clock: () => number, policyOf: (me: string) => (nickname: string) => PeerPolicy = () => () => OPEN_DOOR): Tabs {
  const ids = Object.fromEntries(people.map((p, i) => [p, generateIdentity(seededRandom(50 + i))]));
  const device = (p: string) => `${p}${"0".repeat(24 - p.length)}`;
  const tab: Record<string, Connections> = {};
  for (const [index, me] of people.entries()) {
    let links = 0;
    tab[me] = new Connections({
      local: { identity: ids[me]!, nickname: me, deviceId: device(me) },
      iceServers: () => [],
      random: seededRandom(60 + index),
      clock,
      sendSignal: async (req) => void setImmediate(() => tab[req.to]?.handleSignal({ from: { nickname: me, deviceId: device(me) }, toDevice: req.toDevice, type: req.type, data: req.data })),
      expectedKey: async (peer) => ids[peer]!.signPublicKey,
      newLinkId: () => `${me}link${String(++links).padStart(12, "0")}`.slice(0, 24),
      createPeerConnection: createFakePeerConnection,
      peerPolicy: policyOf(me),
    });
  }
  return { tab, ids, device, close: () => Object.values(tab).forEach((t) => t.close()) };
}

/** Waits (on real microtasks and setImmediate) until `done` holds. */
export async function until(done: () => boolean, rounds = 300): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await flush();
  if (!done()) throw new Error("condition not reached");
}
