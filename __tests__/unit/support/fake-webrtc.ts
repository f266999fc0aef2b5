import { createHash, randomBytes } from "node:crypto";

// An in-memory stand-in for RTCPeerConnection, enough for PeerLink: two fake
// connections pair up through the SDP they exchange, and once both have both
// descriptions their negotiated data channels open and carry bytes to each
// other. Each has its own "certificate" (random DER bytes) whose SHA-256 its
// SDP announces and its peer's getRemoteCertificates() returns, so the secure
// channel binds its handshake exactly as in a browser. Everything else a
// browser does (ICE, DTLS, SCTP) is absent.

const registry = new Map<number, FakePeerConnection>();
let ids = 0;

class FakeDataChannel {
  binaryType = "blob";
  readyState: "connecting" | "open" | "closed" = "connecting";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  onclose: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  peer: FakeDataChannel | null = null;

  send(bytes: Uint8Array): void {
    if (this.readyState !== "open") throw new Error("InvalidStateError: the data channel is not open");
    const copy = bytes.slice().buffer;
    const peer = this.peer;
    setImmediate(() => peer?.readyState === "open" && peer.onmessage?.({ data: copy }));
  }

  close(): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    const peer = this.peer;
    setImmediate(() => {
      this.onclose?.();
      if (peer && peer.readyState !== "closed") {
        peer.readyState = "closed";
        peer.onclose?.();
      }
    });
  }
}

export class FakePeerConnection {
  static made: FakePeerConnection[] = [];
  readonly id = ++ids;
  readonly der = randomBytes(96);
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  signalingState = "stable";
  iceConnectionState = "new";
  closed = false;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  private channel: FakeDataChannel | null = null;
  private peer: FakePeerConnection | null = null;

  constructor(readonly config: RTCConfiguration) {
    registry.set(this.id, this);
    FakePeerConnection.made.push(this);
  }

  get sctp() {
    const peer = this.peer;
    return peer ? { maxMessageSize: 262144, transport: { getRemoteCertificates: () => [peer.der.buffer.slice(peer.der.byteOffset, peer.der.byteOffset + peer.der.length)] } } : null;
  }

  createDataChannel(): FakeDataChannel {
    this.channel = new FakeDataChannel();
    // As a browser does: negotiation is needed, unless an offer already arrived.
    setImmediate(() => !this.closed && !this.remoteDescription && this.onnegotiationneeded?.());
    return this.channel;
  }

  private sdp(): string {
    const fp = createHash("sha256").update(this.der).digest("hex").toUpperCase().match(/../g)!.join(":");
    return `v=0\r\na=fake-pc:${this.id}\r\na=fingerprint:sha-256 ${fp}\r\n`;
  }

  async setLocalDescription(): Promise<void> {
    const type = this.signalingState === "have-remote-offer" ? "answer" : "offer";
    this.localDescription = { type, sdp: this.sdp() };
    this.signalingState = type === "offer" ? "have-local-offer" : "stable";
    this.connectIfReady();
  }

  async setRemoteDescription(description: { type: string; sdp: string }): Promise<void> {
    this.remoteDescription = description;
    this.peer = registry.get(Number(/a=fake-pc:(\d+)/.exec(description.sdp)?.[1])) ?? null;
    this.signalingState = description.type === "offer" ? "have-remote-offer" : "stable";
    this.connectIfReady();
  }

  async addIceCandidate(): Promise<void> {}
  restartIce(): void {}
  async getStats(): Promise<Map<string, unknown>> {
    return new Map();
  }

  close(): void {
    this.closed = true;
    registry.delete(this.id);
  }

  /** "connected" while its data channel is open. */
  get connectionState(): "new" | "connected" | "closed" {
    if (this.closed) return "closed";
    return this.channel?.readyState === "open" ? "connected" : "new";
  }

  /** The network between the two ends fails: both see the data channel close; frames in flight are lost. */
  sever(): void {
    this.channel?.close();
  }

  /** Both ends know both descriptions: the data channels open. */
  private connectIfReady(): void {
    const peer = this.peer;
    if (!peer || !this.localDescription || !this.remoteDescription || !peer.localDescription || !peer.remoteDescription) return;
    const [mine, theirs] = [this.channel, peer.channel];
    if (!mine || !theirs || mine.readyState !== "connecting") return;
    mine.peer = theirs;
    theirs.peer = mine;
    setImmediate(() => {
      for (const channel of [mine, theirs]) {
        channel.readyState = "open";
        channel.onopen?.();
      }
    });
  }
}

export const createFakePeerConnection = (config: RTCConfiguration) => new FakePeerConnection(config) as unknown as RTCPeerConnection;
