import { SecureChannel } from "@/lib/channel/secure-channel";
import type { Connection } from "@/lib/chat/connections";
import { generateIdentity, type DeviceIdentity } from "@/lib/crypto";
import type { Frame } from "@/lib/protocol";
import type { RelayConnections } from "@/lib/relay/log-requester";
import { Emitter } from "@/lib/shared/emitter";
import { FakeLink, flush, seededRandom } from "../../support/fake-link";

// Devices of one account joined by real secure channels (real handshake,
// real ratchet) over in-memory links, so relay tests exercise the same
// frames, session ids and checks as the browser does.

export interface Device {
  nickname: string;
  deviceId: string;
  identity: DeviceIdentity;
  /** Frames arriving on any of this device's connections. */
  frames: Emitter<{ connection: Connection; frame: Frame }>;
  connections: Connection[];
}

let seeds = 0;
export function device(nickname: string, deviceId: string): Device {
  return { nickname, deviceId, identity: generateIdentity(seededRandom(++seeds * 7919)), frames: new Emitter(), connections: [] };
}

/** A link as the home's streaming sees it: nothing ever buffers. */
function linkView(link: FakeLink): Connection["link"] {
  return { bufferedAmount: 0, bufferedAmountLowThreshold: 0, bufferedAmountLow: new Emitter<void>(), closed: link.closed } as unknown as Connection["link"];
}

/** Connects a and b with a fresh handshake; resolves with each side's connection once both are ready. */
export async function connect(a: Device, b: Device, clock: () => number, prints?: [string, string]): Promise<[Connection, Connection]> {
  const links = FakeLink.pair(prints ?? [`sha-256 ${a.deviceId}:${++seeds}`, `sha-256 ${b.deviceId}:${seeds}`]);
  const ends = ([a, b] as const).map((me, i) => {
    const peer = i === 0 ? b : a;
    const channel = new SecureChannel({
      link: links[i]!,
      local: { identity: me.identity, nickname: me.nickname, deviceId: me.deviceId },
      remote: { nickname: peer.nickname, deviceId: peer.deviceId },
      expectedKey: async () => peer.identity.signPublicKey,
      random: seededRandom(++seeds * 104729),
      clock,
    });
    const connection: Connection = { nickname: peer.nickname, deviceId: peer.deviceId, link: linkView(links[i]!), channel };
    channel.frame.on((frame) => me.frames.emit({ connection, frame }));
    me.connections.push(connection);
    return connection;
  }) as [Connection, Connection];
  links[0].open();
  for (let i = 0; i < 50 && !ends.every((c) => c.channel.isReady); i++) await flush();
  if (!ends.every((c) => c.channel.isReady)) throw new Error("the test devices did not finish their handshake");
  return ends;
}

/** What requestLogs needs of a device's connections: the ones it has, and no dialing beyond them. */
export function relayConnections(me: Device): RelayConnections {
  return {
    of: (nickname) => me.connections.filter((c) => c.nickname === nickname && c.channel.isReady),
    dial: () => undefined,
    ready: new Emitter<Connection>(),
    unreachable: new Emitter<Connection>(),
  };
}

export function closeAll(...devices: Device[]): void {
  for (const d of devices) for (const c of d.connections.splice(0)) c.channel.close();
}
