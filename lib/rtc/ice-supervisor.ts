import type { LinkErrorCode } from "./link-error";
import { disconnectedGraceMs, iceConnectTimeoutMs, iceRestartTimeoutMs, maxIceRestarts, minIceCheckMs } from "./limits";

// What a link does about its ICE connection state (RFC 8445; webrtc-pc
// §4.4.3): a link that worked and lost its path restarts ICE (at most
// maxIceRestarts times in a row); a link whose peer answered but that never
// found a working pair is unreachable from this network, which no restart of
// the same pairs would change.

/** The parts of a PeerLink the supervisor drives. */
export interface SupervisedLink {
  iceState(): RTCIceConnectionState;
  restartIce(): void;
  /** ICE connected (again): the route may have changed. */
  connected(): void;
  /** The path is gone for now: show "connecting" while it is looked for. */
  reconnecting(): void;
  fail(code: LinkErrorCode, message: string): void;
  /** Runs `run` after `ms` unless the link closed meanwhile. */
  after(ms: number, run: () => void): void;
  clock(): number;
}

export class IceSupervisor {
  /** ICE reached "connected" at least once: later trouble is a lost path, not an unreachable peer. */
  private everConnected = false;
  /** When a remote description was first applied: from then on ICE has pairs to check. */
  private answeredAt: number | null = null;
  private restarts = 0;

  constructor(private readonly link: SupervisedLink) {
    link.after(iceConnectTimeoutMs, () => this.judgeReachable());
  }

  /** The other side's description was applied. */
  answered(): void {
    this.answeredAt ??= this.link.clock();
  }

  /** The data channel opened, so some pair works (whatever ICE reported): a fresh budget of restarts. */
  opened(): void {
    this.everConnected = true;
    this.restarts = 0;
  }

  onIceState(state: RTCIceConnectionState): void {
    if (state === "connected" || state === "completed") {
      this.everConnected = true;
      return this.link.connected();
    }
    // Never connected: an ICE restart would check the same pairs again.
    if (state === "failed" && !this.everConnected && this.answeredAt !== null) return this.failUnreachable();
    if (state === "disconnected") {
      this.link.reconnecting();
      // Often transient (a lost consent check); restart only if it lasts.
      this.link.after(disconnectedGraceMs, () => {
        if (this.link.iceState() === "disconnected") this.restart();
      });
    } else if (state === "failed") {
      this.link.reconnecting();
      this.restart();
    }
  }

  /**
   * The device's network changed (Wi-Fi to mobile): the selected pair may be
   * dead without ICE knowing yet. Restart now rather than after consent
   * checks time out; a link that never connected is left to its timers.
   */
  networkChanged(): void {
    if (!this.everConnected) return;
    this.restarts = 0;
    this.link.reconnecting();
    this.restart();
  }

  private restart(): void {
    if (this.restarts >= maxIceRestarts) return this.link.fail("ERR_ICE_FAILED", "the connection failed and ICE restarts did not bring it back");
    this.restarts += 1;
    this.link.restartIce();
    this.link.after(iceRestartTimeoutMs, () => {
      const ice = this.link.iceState();
      if (ice !== "connected" && ice !== "completed") this.restart();
    });
  }

  /**
   * iceConnectTimeoutMs after the start, a link whose peer answered but whose
   * ICE never connected is unreachable (with at least minIceCheckMs after a
   * late answer); a peer that never answered is left to the open timeout: it
   * is offline or slow, not unreachable.
   */
  private judgeReachable(): void {
    if (this.everConnected || this.answeredAt === null) return;
    const checkedFor = this.link.clock() - this.answeredAt;
    if (checkedFor < minIceCheckMs) return this.link.after(minIceCheckMs - checkedFor, () => this.judgeReachable());
    this.failUnreachable();
  }

  private failUnreachable(): void {
    this.link.fail("ERR_UNREACHABLE", "the other device answered, but no network path between the two worked");
  }
}
