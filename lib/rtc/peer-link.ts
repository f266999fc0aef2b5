import { Emitter } from "@/lib/shared/emitter";
import type { ByteLink } from "./byte-link";
import { IceSupervisor } from "./ice-supervisor";
import { DATA_CHANNEL, maxPendingRemoteCandidates, maxQueuedSignals, openTimeoutMs } from "./limits";
import { LinkError, type LinkErrorCode } from "./link-error";
import { usesRelay } from "./route-kind";
import { localFingerprint, remoteFingerprint, type DtlsView } from "./dtls-fingerprint";
import { type CandidateInit, type SignalPayload } from "./signal-payload";

// One RTCPeerConnection to one remote device, carrying one ordered, reliable
// data channel. It moves opaque bytes and knows no cryptography. Negotiation
// follows the "perfect negotiation" pattern (W3C webrtc-pc §10.7, MDN), so
// both sides may dial at once; which side yields is fixed by device id.

export type LinkState = "connecting" | "direct" | "relayed" | "offline";
export type OutgoingSignal = { type: "offer" | "answer" | "candidate" | "bye"; payload: SignalPayload };
export { LinkError, type LinkErrorCode } from "./link-error";

export interface PeerLinkOptions {
  linkId: string;
  /** True on the side that yields in an offer collision (the larger device id). */
  polite: boolean;
  iceServers: RTCIceServer[];
  /** "relay" keeps this device's own addresses out of its candidates (strangers, when TURN is configured). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * Where signals go. Without it the link starts ahead of knowing its remote
   * device: it makes its offer and gathers candidates, and holds them until
   * bind() says where they go.
   */
  sendSignal?: (signal: OutgoingSignal) => void;
  /** Injectable for tests; the browser's RTCPeerConnection otherwise. */
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  /** Injectable for tests; Date.now otherwise. */
  clock?: () => number;
}

export class PeerLink implements ByteLink {
  readonly linkId: string;
  /** The remote side's link id, learnt from its first signal. */
  remoteLinkId: string | null = null;

  readonly opened = new Emitter<void>();
  readonly message = new Emitter<Uint8Array>();
  readonly stateChanged = new Emitter<LinkState>();
  readonly closed = new Emitter<LinkError | null>();
  readonly bufferedAmountLow = new Emitter<void>();

  private readonly pc: RTCPeerConnection;
  private readonly channel: RTCDataChannel;
  private readonly opts: PeerLinkOptions;
  private polite: boolean;
  /** Signals made before bind(), in order (an offer and the candidates gathered with it). */
  private held: OutgoingSignal[] | null;
  private currentState: LinkState = "connecting";
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswerPending = false;
  private pendingCandidates: CandidateInit[] = [];
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Remote candidates the browser refused (counted, not fatal). */
  candidateErrors = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private isClosed = false;
  private readonly ice: IceSupervisor;

  constructor(opts: PeerLinkOptions) {
    this.opts = opts;
    this.linkId = opts.linkId;
    this.polite = opts.polite;
    this.held = opts.sendSignal ? null : [];
    const create = opts.createPeerConnection ?? ((config) => new RTCPeerConnection(config));
    this.pc = create({ iceServers: opts.iceServers, iceTransportPolicy: opts.iceTransportPolicy ?? "all" });
    // Negotiated on both sides with the same id: no "datachannel" event and no
    // question of who creates it.
    this.channel = this.pc.createDataChannel(DATA_CHANNEL.label, { negotiated: true, id: DATA_CHANNEL.id, ordered: true });
    this.channel.binaryType = "arraybuffer";
    this.ice = new IceSupervisor({
      iceState: () => this.pc.iceConnectionState,
      restartIce: () => this.pc.restartIce(),
      connected: () => {
        if (this.channel.readyState === "open") void this.refreshRoute();
      },
      reconnecting: () => this.setState("connecting"),
      fail: (code, message) => this.fail(code, message),
      after: (ms, run) => this.after(ms, run),
      clock: opts.clock ?? Date.now,
    });
    this.wire();
    this.after(openTimeoutMs, () => {
      if (this.channel.readyState !== "open") this.fail("ERR_OPEN_TIMEOUT", "the data channel did not open in time");
    });
  }

  get state(): LinkState {
    return this.currentState;
  }

  get isOpen(): boolean {
    return !this.isClosed && this.channel.readyState === "open";
  }

  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  set bufferedAmountLowThreshold(bytes: number) {
    this.channel.bufferedAmountLowThreshold = bytes;
  }

  /** Largest message the remote side accepts (SDP max-message-size), if known. */
  get maxMessageSize(): number | null {
    return this.pc.sctp?.maxMessageSize ?? null;
  }

  /**
   * Both DTLS fingerprints, for binding the handshake to this transport: ours
   * from our own description, the peer's from the certificate DTLS actually
   * negotiated. Null when either is missing, which refuses the handshake.
   */
  fingerprints(): { local: string; remote: string } | null {
    const view = this.pc as unknown as DtlsView;
    const local = localFingerprint(view);
    const remote = remoteFingerprint(view);
    return local && remote ? { local, remote } : null;
  }

  send(bytes: Uint8Array): void {
    if (!this.isOpen) throw new LinkError("ERR_NOT_OPEN", "the data channel is not open");
    this.channel.send(bytes as Uint8Array<ArrayBuffer>);
  }

  /**
   * A link started ahead (no sendSignal) learns its remote device. The offer
   * it made goes out now as the current local description, which holds every
   * candidate gathered meanwhile (the browser adds each one to it before
   * announcing it), so none of them costs a signal of its own; candidates
   * gathered from now on trickle as usual.
   */
  bind(opts: { polite: boolean; sendSignal: (signal: OutgoingSignal) => void }): void {
    if (this.held === null) throw new TypeError("bind() is for a link made without sendSignal, once");
    const held = this.held;
    this.held = null;
    this.polite = opts.polite;
    this.opts.sendSignal = opts.sendSignal;
    if (this.isClosed) return;
    const offer = this.pc.localDescription;
    if (held.some((s) => s.type === "offer") && offer?.type === "offer") this.signal("offer", { sdp: offer.sdp });
    else for (const signal of held) this.opts.sendSignal(signal);
  }

  /** Applies remote signals one at a time, in arrival order. */
  handleSignal(type: "offer" | "answer" | "candidate" | "bye", payload: SignalPayload): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    if (this.queued >= maxQueuedSignals) {
      this.fail("ERR_QUEUE_FULL", "too many signals waiting");
      return Promise.resolve();
    }
    this.remoteLinkId ??= payload.link;
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.applySignal(type, payload))
      .catch((error: unknown) => this.fail(error instanceof LinkError ? error.code : "ERR_SET_REMOTE_DESCRIPTION", error instanceof Error ? error.message : String(error)))
      .finally(() => {
        this.queued -= 1;
      });
    return this.queue;
  }

  /**
   * Fresh STUN/TURN servers (renewed TURN credentials) for the next gathering.
   * A relayed link gathers again now (an ICE restart keeps the old path until
   * a new one is chosen), so its TURN allocation moves to the new credentials
   * before the old ones expire; a direct link needs nothing from TURN.
   */
  updateIceServers(iceServers: RTCIceServer[]): void {
    if (this.isClosed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch {
      // A configuration the browser refuses changes nothing: keep the old one.
      return;
    }
    if (this.currentState === "relayed") this.pc.restartIce();
  }

  /**
   * The device's network changed (Wi-Fi to mobile): the selected pair may be
   * dead without ICE knowing yet. Restart now rather than after consent
   * checks time out; a link that never connected is left to its timers.
   */
  networkChanged(): void {
    if (!this.isClosed) this.ice.networkChanged();
  }

  /** Safe to call twice. `notify` tells the remote side with a "bye". */
  close(opts: { notify?: boolean; error?: LinkError } = {}): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (opts.notify) this.signal("bye", {});
    try {
      this.channel.close();
      this.pc.close();
    } catch {
      // already closed by the browser
    }
    this.setState("offline");
    this.closed.emit(opts.error ?? null);
    for (const emitter of [this.opened, this.message, this.stateChanged, this.bufferedAmountLow]) (emitter as Emitter<unknown>).clear();
    this.closed.clear();
  }

  private wire(): void {
    const { pc, channel } = this;
    pc.onnegotiationneeded = () => void this.makeOffer();
    pc.onicecandidate = ({ candidate }) => {
      // A null candidate only marks the end of gathering; trickle ICE needs nothing for it.
      if (candidate) this.signal("candidate", { candidate: candidate.toJSON() as CandidateInit });
    };
    pc.oniceconnectionstatechange = () => {
      if (!this.isClosed) this.ice.onIceState(pc.iceConnectionState);
    };
    channel.onopen = () => {
      this.ice.opened();
      this.opened.emit();
      void this.refreshRoute();
      // ICE keeps checking after the first working pair and may move from a
      // relayed pair to a direct one (or back) without any state change.
      const ice = this.pc.sctp?.transport?.iceTransport;
      if (ice) ice.onselectedcandidatepairchange = () => void this.refreshRoute();
    };
    channel.onmessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) this.message.emit(new Uint8Array(event.data));
      // Strings are not part of the protocol: ignored.
    };
    channel.onbufferedamountlow = () => this.bufferedAmountLow.emit();
    channel.onclose = () => this.close();
  }

  private async makeOffer(): Promise<void> {
    if (this.isClosed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      if (description?.type === "offer") this.signal("offer", { sdp: description.sdp });
    } catch (error) {
      this.fail("ERR_SET_LOCAL_DESCRIPTION", error instanceof Error ? error.message : String(error));
    } finally {
      this.makingOffer = false;
    }
  }

  private async applySignal(type: "offer" | "answer" | "candidate" | "bye", payload: SignalPayload): Promise<void> {
    if (this.isClosed) return;
    if (type === "bye") return this.close();
    if (type === "candidate") {
      if (payload.candidate) await this.addCandidate(payload.candidate);
      return;
    }
    if (!payload.sdp) return;
    const pc = this.pc;
    // Perfect negotiation: an offer that collides with our own is ignored by
    // the impolite side and wins (by implicit rollback) on the polite side.
    const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswerPending);
    const collision = type === "offer" && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.settingRemoteAnswerPending = type === "answer";
    try {
      await pc.setRemoteDescription({ type, sdp: payload.sdp });
      this.ice.answered();
    } catch (error) {
      throw new LinkError("ERR_SET_REMOTE_DESCRIPTION", error instanceof Error ? error.message : String(error));
    } finally {
      this.settingRemoteAnswerPending = false;
    }
    await this.flushCandidates();
    if (type === "offer") {
      try {
        await pc.setLocalDescription();
      } catch (error) {
        throw new LinkError("ERR_SET_LOCAL_DESCRIPTION", error instanceof Error ? error.message : String(error));
      }
      const answer = pc.localDescription;
      if (answer) this.signal("answer", { sdp: answer.sdp });
    }
  }

  private async addCandidate(candidate: CandidateInit): Promise<void> {
    // Signals travel as separate requests and may overtake the description
    // they belong to: hold candidates until there is one.
    if (!this.pc.remoteDescription) {
      if (this.pendingCandidates.length >= maxPendingRemoteCandidates) return;
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // Candidates of an offer we ignored, or of an ICE generation an ICE
      // restart replaced, fail harmlessly; one bad candidate is no reason to
      // drop a connection that other candidates can carry.
      this.candidateErrors += 1;
    }
  }

  private async flushCandidates(): Promise<void> {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) await this.addCandidate(candidate);
  }

  /** "direct" or "relayed": whether the selected candidate pair goes through TURN. */
  private async refreshRoute(): Promise<void> {
    let relayed = false;
    try {
      relayed = usesRelay(await this.pc.getStats());
    } catch {
      // No stats (closing): keep it "direct", which loopback and LANs are.
    }
    if (!this.isClosed && this.channel.readyState === "open") this.setState(relayed ? "relayed" : "direct");
  }

  private signal(type: OutgoingSignal["type"], body: Omit<SignalPayload, "v" | "link" | "peer">): void {
    const peer = this.remoteLinkId ?? undefined;
    const signal: OutgoingSignal = { type, payload: { v: 1, link: this.linkId, ...(peer ? { peer } : {}), ...body } };
    if (this.held) {
      // Bounded: an offer and what one gathering yields.
      if (this.held.length < maxQueuedSignals) this.held.push(signal);
      return;
    }
    this.opts.sendSignal!(signal);
  }

  private setState(next: LinkState): void {
    if (next === this.currentState) return;
    this.currentState = next;
    this.stateChanged.emit(next);
  }

  private fail(code: LinkErrorCode, message: string): void {
    this.close({ notify: true, error: new LinkError(code, message) });
  }

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.isClosed) run();
    }, ms);
    this.timers.add(timer);
  }
}
