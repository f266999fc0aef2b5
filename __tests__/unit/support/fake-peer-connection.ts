// A stand-in for the browser's RTCPeerConnection with just what PeerLink
// uses, driven by the test: it negotiates trivially (any offer gets an
// answer) and its ICE state changes only when the test says so.

export class FakeDataChannel {
  readyState: RTCDataChannelState = "connecting";
  binaryType = "blob";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  sent: Uint8Array[] = [];

  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }

  close(): void {
    this.readyState = "closed";
  }
}

export class FakePeerConnection {
  static all: FakePeerConnection[] = [];
  iceConnectionState: RTCIceConnectionState = "new";
  signalingState: RTCSignalingState = "stable";
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: null }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  channel: FakeDataChannel | null = null;
  restartIceCalls = 0;
  configurations: RTCConfiguration[] = [];
  /** What getStats() reports: whether the selected pair is relayed. */
  relayed = false;
  closed = false;

  constructor(private configuration: RTCConfiguration) {
    FakePeerConnection.all.push(this);
  }

  static create = (config: RTCConfiguration) => new FakePeerConnection(config) as unknown as RTCPeerConnection;

  createDataChannel(): FakeDataChannel {
    this.channel = new FakeDataChannel();
    // As in browsers: adding the first channel asks for negotiation, later.
    queueMicrotask(() => this.onnegotiationneeded?.());
    return this.channel;
  }

  async setLocalDescription(): Promise<void> {
    if (this.remoteDescription?.type === "offer" && this.signalingState === "have-remote-offer") {
      this.localDescription = { type: "answer", sdp: "v=0 fake answer" };
      this.signalingState = "stable";
    } else {
      this.localDescription = { type: "offer", sdp: "v=0 fake offer" };
      this.signalingState = "have-local-offer";
    }
  }

  async setRemoteDescription(description: { type: RTCSdpType; sdp: string }): Promise<void> {
    this.remoteDescription = description;
    this.signalingState = description.type === "offer" ? "have-remote-offer" : "stable";
  }

  async addIceCandidate(): Promise<void> {}

  restartIce(): void {
    this.restartIceCalls += 1;
  }

  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
    this.configurations.push(configuration);
  }

  async getStats(): Promise<Map<string, unknown>> {
    const type = this.relayed ? "relay" : "host";
    return new Map<string, unknown>([
      ["t", { type: "transport", selectedCandidatePairId: "p" }],
      ["p", { type: "candidate-pair", localCandidateId: "l", remoteCandidateId: "r" }],
      ["l", { type: "local-candidate", candidateType: type }],
      ["r", { type: "remote-candidate", candidateType: "host" }],
    ]);
  }

  close(): void {
    this.closed = true;
  }

  // --- driven by the test ---

  setIce(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.();
  }

  openChannel(): void {
    this.channel!.readyState = "open";
    this.channel!.onopen?.();
  }
}
