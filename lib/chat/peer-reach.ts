import type { Presence } from "@/lib/signaling/schemas";
import type { Connection } from "./connections";
import { PresenceWatch } from "./presence-watch";

// Reaching a peer: dial every device of theirs that is online, send what
// waits for them, and while messages still wait with none of their devices
// connected, watch their presence (with backoff) and dial whoever appears.

export interface ReachDeps {
  /** The peer's presence; `fresh` asks the server again. */
  presence: (peer: string, opts?: { fresh?: boolean }) => Promise<Presence>;
  connections: { dial(peer: string, deviceIds: string[]): void; of(peer: string): Connection[] };
  delivery: { flush(peer: string): Promise<void>; pendingPeers(): Promise<Set<string>> };
  /** False while the peer is blocked or one of its keys changed: nothing is dialed. */
  mayDial: (peer: string) => boolean;
  /** Messages wait for `peer` and no connection to any of its devices exists, not even a starting one. */
  waiting: (peer: string) => void;
}

export class PeerReach {
  private readonly watch: PresenceWatch;
  /**
   * Set by stop(), for good: closing the connections afterwards reports each
   * of them lost, and a lost connection with messages waiting would start
   * the presence watch again, polling and dialing for a messenger that has
   * stopped (the soak in __tests__/unit/soak found such a tab dialing on).
   */
  private stopped = false;

  constructor(private readonly deps: ReachDeps) {
    this.watch = new PresenceWatch(
      (peer, presence) => this.dial(peer, presence),
      (peer) => this.stillWaiting(peer),
      (peer) => deps.presence(peer, { fresh: true }),
    );
  }

  /** A ready connection to one of the peer's devices. */
  connected(peer: string): boolean {
    return this.deps.connections.of(peer).some((c) => c.channel.isReady);
  }

  /**
   * Dials the peer's online devices (from `presence` when the caller already
   * asked), sends what waits, and watches presence if messages still wait.
   */
  async reach(peer: string, presence?: Promise<Presence>): Promise<void> {
    if (this.stopped || !this.deps.mayDial(peer)) return;
    try {
      this.dial(peer, await (presence ?? this.deps.presence(peer)));
    } catch {
      // Unknown or unreachable right now: the watch below retries.
    }
    await this.deps.delivery.flush(peer);
    if (this.stopped || !(await this.stillWaiting(peer))) return;
    this.watch.watch(peer);
    if (this.deps.connections.of(peer).length === 0) this.deps.waiting(peer);
  }

  /** Every peer messages wait for (at start, after a network change). */
  async reachWaiting(): Promise<void> {
    for (const peer of await this.deps.delivery.pendingPeers()) void this.reach(peer);
  }

  ready(connection: Connection): void {
    this.watch.unwatch(connection.nickname);
  }

  /** A connection is gone: with messages still waiting, look for the peer again, with backoff (it may be going away). */
  async lost(connection: Connection): Promise<void> {
    if (this.stopped) return;
    if ((await this.stillWaiting(connection.nickname)) && !this.stopped) this.watch.watch(connection.nickname);
  }

  /** Stops looking for a peer (blocked). */
  forget(peer: string): void {
    this.watch.unwatch(peer);
  }

  stop(): void {
    this.stopped = true;
    this.watch.stop();
  }

  private dial(peer: string, presence: Presence): void {
    if (!this.stopped && this.deps.mayDial(peer)) this.deps.connections.dial(peer, presence.online.map((d) => d.deviceId));
  }

  private async stillWaiting(peer: string): Promise<boolean> {
    return (await this.deps.delivery.pendingPeers()).has(peer) && !this.connected(peer);
  }
}
