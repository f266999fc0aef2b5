import { Connections, type PeerPolicy } from "@/lib/chat/connections";
import { Delivery, historySink, type ReceiveSink } from "@/lib/chat/delivery";
import { PeerReach } from "@/lib/chat/peer-reach";
import type { DeviceIdentity, LogPublicBundle, RandomSource } from "@/lib/crypto";
import { sealedLogSink, type SealedLogSink } from "@/lib/relay/sealed-sink";
import { createFakePeerConnection, FakePeerConnection } from "../support/fake-webrtc";

// The people of a model soak, each a "tab" made of the app's own parts
// (lib/chat/connections.ts with PeerLink and the secure channel over the
// in-memory WebRTC stand-in, lib/chat/delivery.ts, lib/chat/peer-reach.ts,
// the IndexedDB stores on fake-indexeddb), wired as lib/chat/messenger.ts
// wires them. Signaling is an in-memory bus that stamps the sender, as the
// server does; presence is who has a live tab. A reload throws the tab away
// and builds a new one from storage alone.

const OPEN_DOOR: PeerPolicy = { blocked: false, stranger: false, iceTransportPolicy: "all" };

export interface Tab {
  account: string;
  connections: Connections;
  delivery: Delivery;
  reach: PeerReach;
  sink: ReceiveSink;
  close(): void;
}

export interface WorldOptions {
  people: readonly string[];
  ids: Record<string, DeviceIdentity>;
  clock: () => number;
  random: (label: string) => RandomSource;
  /** The home relay's log: received messages of `home` are sealed to it. */
  home: { account: string; bundle: LogPublicBundle };
  /** Every first-time arrival (the received event), for exactly-once accounting across reloads. */
  onReceived: (account: string, id: string) => void;
}

export const deviceOf = (person: string) => `${person}${"0".repeat(24 - person.length)}`;

export class World {
  readonly tabs = new Map<string, Tab>();
  private incarnation = 0;

  constructor(private readonly opts: WorldOptions) {}

  /** A tab for `person` built from storage only, as a page load does; started as the messenger starts. */
  async open(person: string): Promise<Tab> {
    const { ids, clock, random, home } = this.opts;
    const n = ++this.incarnation;
    let links = 0;
    const connections: Connections = new Connections({
      local: { identity: ids[person]!, nickname: person, deviceId: deviceOf(person) },
      iceServers: () => [],
      random: random(`${person}:${n}`),
      clock,
      sendSignal: async (req) => {
        // The server refuses a signal to nobody online (409), as /api/signal does.
        const to = this.tabs.get(req.to);
        if (!to) throw Object.assign(new Error("not online"), { status: 409 });
        setImmediate(() => this.tabs.get(req.to)?.connections.handleSignal({ from: { nickname: person, deviceId: deviceOf(person) }, toDevice: req.toDevice, type: req.type, data: req.data }));
      },
      expectedKey: async (peer) => ids[peer]!.signPublicKey,
      newLinkId: () => `${person}${n}l${++links}`.padEnd(24, "x").slice(0, 24),
      createPeerConnection: createFakePeerConnection,
      peerPolicy: () => OPEN_DOOR,
    });
    const sealed: SealedLogSink | null = person === home.account ? sealedLogSink(person, home.bundle, random(`${person}:sink:${n}`), clock) : null;
    // A crash ends the tab's writes with it: one still in flight when the tab is dropped aborts its transaction.
    let alive = true;
    const inner: ReceiveSink = sealed ?? historySink;
    const sink: ReceiveSink = {
      stores: inner.stores,
      write: (tx, message, fromDevice) => {
        if (!alive) throw new Error("the tab is gone");
        return inner.write(tx, message, fromDevice);
      },
    };
    const delivery = new Delivery({ account: person, connections, clock, sink: () => sink });
    const reach = new PeerReach({
      presence: async (peer) => ({ online: this.tabs.has(peer) ? [{ deviceId: deviceOf(peer), home: peer === home.account }] : [] }),
      connections,
      delivery,
      mayDial: () => true,
      waiting: () => undefined,
    });
    // As lib/chat/messenger.ts wires them.
    connections.ready.on((connection) => {
      reach.ready(connection);
      void delivery.onReady(connection);
    });
    connections.lost.on((connection) => void reach.lost(connection));
    // A write refused because the tab crashed is the crash's; any other failure fails the soak (an unhandled rejection).
    connections.frame.on(({ connection, frame }) => void delivery.onFrame(connection, frame).catch((error: unknown) => {
      if (alive) throw error;
    }));
    delivery.received.on(({ message }) => this.opts.onReceived(person, message.id));
    const tab: Tab = {
      account: person,
      connections,
      delivery,
      reach,
      sink,
      close: () => {
        alive = false;
        reach.stop();
        connections.close();
        sealed?.close();
      },
    };
    this.tabs.set(person, tab);
    await delivery.load();
    await reach.reachWaiting();
    return tab;
  }

  /** A reload (or a crash): the tab and everything it held in memory are gone; storage stays. */
  drop(person: string): void {
    const tab = this.tabs.get(person);
    if (!tab) return;
    this.tabs.delete(person);
    tab.close();
  }

  /** Cuts one live peer connection (both ends see it close; frames in flight are lost, as SCTP loses them with its association). */
  cutOne(pick: (n: number) => number): boolean {
    const live = FakePeerConnection.made.filter((pc) => pc.connectionState === "connected");
    if (live.length === 0) return false;
    live[pick(live.length)]!.sever();
    return true;
  }

  close(): void {
    for (const person of [...this.tabs.keys()]) this.drop(person);
  }
}
