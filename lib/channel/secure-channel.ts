import {
  abandonHandshake,
  acceptHello,
  channelBindingFromFingerprints,
  createHello,
  createRekey,
  finishHandshake,
  isCryptoError,
  msUntilNextCheck,
  ratchetDecrypt,
  ratchetEncrypt,
  rekeyDue,
  rekeyOverdue,
  sessionExpired,
  wipeSession,
  type AuthState,
  type DeviceIdentity,
  type HelloState,
  type Primitives,
  type RandomSource,
  type RatchetConfig,
  type Session,
} from "@/lib/crypto";
import { decodeFrame, encodeFrame, MAX_WIRE_BYTES, type Frame } from "@/lib/protocol";
import type { ByteLink } from "@/lib/rtc/byte-link";
import { pagePrimitives } from "@/lib/this-device/page-primitives";
import { ChannelError, type ChannelDrops } from "./channel-error";
import { Emitter } from "@/lib/shared/emitter";

// The secure channel to one remote device: a PeerLink's opaque bytes, the
// W-Ratchet handshake bound to the link's DTLS fingerprints, then ratchet
// messages whose plaintexts are typed frames. Work is serialised per channel:
// the ratchet state changes with every message, in order. The channel also
// runs the W Ratchet's clock (docs/protocol.md "Rekey"): it rekeys when due,
// and closes when the peer leaves a rekey unanswered for two periods, sends
// on a chain older than the rule allows, or the session expires. Whatever
// ends the channel, its secrets are wiped.
//
// Sessions live in memory only. Every new data channel runs a fresh handshake
// (docs/protocol.md "Sessions and reconnects"), so no ratchet key ever rests in
// the browser's storage.
//
// The handshake and the DH steps of the ratchet run on native X25519/Ed25519
// (WebCrypto) where the page has them, and are awaited inside the channel's
// queue; encryption has no DH and stays synchronous, so send() is too (the
// ratchet lets it run while a decryption awaits its DH).

export { ChannelError, ROTATION_FAILURES, type ChannelDrops, type ChannelErrorCode } from "./channel-error";

export const HANDSHAKE_TIMEOUT_MS = 15_000;
const KIND_HELLO = 0x01;
const KIND_AUTH = 0x02;

export interface SecureChannelOptions {
  link: ByteLink;
  local: { identity: DeviceIdentity; nickname: string; deviceId: string };
  remote: { nickname: string; deviceId: string };
  /** The remote device's Ed25519 key as the server lists it, already checked against the local pin. */
  expectedKey: () => Promise<Uint8Array>;
  random: RandomSource;
  clock: () => number;
  ratchetConfig?: Partial<RatchetConfig>;
  /** X25519/Ed25519 implementation (default: this page's, native where it can be). */
  primitives?: Primitives | Promise<Primitives>;
}

type Phase =
  | { name: "waiting-open" }
  | { name: "hello-sent"; state: HelloState }
  | { name: "auth-sent"; state: AuthState }
  | { name: "ready"; session: Session }
  | { name: "closed" };

export class SecureChannel {
  readonly ready = new Emitter<void>();
  readonly frame = new Emitter<Frame>();
  readonly closed = new Emitter<ChannelError | null>();
  /** Messages dropped, per reason. Unreadable ones are never fatal; a stale chain closes the channel. */
  readonly drops: ChannelDrops = { unreadable: 0, staleChain: 0 };

  private phase: Phase = { name: "waiting-open" };
  private work: Promise<void> = Promise.resolve();
  private rekeyTimer: ReturnType<typeof setTimeout> | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private remoteKey: Uint8Array | null = null;

  private readonly expectedKey: Promise<Uint8Array>;
  private readonly primitives: Promise<Primitives>;

  constructor(private readonly opts: SecureChannelOptions) {
    const { link } = opts;
    // Looked up now, while the transport is still being set up, so the
    // handshake does not wait for a server round trip.
    this.expectedKey = opts.expectedKey();
    this.expectedKey.catch(() => undefined);
    this.primitives = Promise.resolve(opts.primitives ?? pagePrimitives());
    link.opened.on(() => this.enqueue(() => this.start()));
    link.message.on((bytes) => this.enqueue(() => this.receive(bytes)));
    link.closed.on((error) => this.shutdown(new ChannelError("LINK_CLOSED", error?.message ?? "the connection closed")));
    if (link.isOpen) this.enqueue(() => this.start());
  }

  get isReady(): boolean {
    return this.phase.name === "ready";
  }

  get remoteDeviceId(): string {
    return this.opts.remote.deviceId;
  }

  /** Every message dropped, whatever the reason. */
  get dropped(): number {
    return this.drops.unreadable + this.drops.staleChain;
  }

  /**
   * The session id (the handshake's transcript hash), the same bytes at both
   * ends of this channel and at no other channel: what a log challenge binds
   * to. Null until ready.
   */
  get sessionId(): Uint8Array | null {
    return this.phase.name === "ready" ? this.phase.session.sessionId.slice() : null;
  }

  /** The remote device's verified identity key, once the handshake is done. */
  get remoteSignKey(): Uint8Array | null {
    return this.phase.name === "ready" ? this.remoteKey : null;
  }

  /** Encrypts and sends a frame; false when the channel is not ready (the caller keeps it queued). */
  send(frame: Frame): boolean {
    if (this.phase.name !== "ready" || !this.opts.link.isOpen) return false;
    const session = this.phase.session;
    const now = this.opts.clock();
    if (this.enforceClock(session, now)) return false;
    this.opts.link.send(ratchetEncrypt(session, encodeFrame(frame), now));
    this.scheduleCheck();
    return true;
  }

  close(): void {
    this.shutdown(null, true);
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.work = this.work.then(step).catch((error: unknown) => {
      const cause = isCryptoError(error) ? error.code : error instanceof Error ? error.name : "unknown";
      this.shutdown(new ChannelError("HANDSHAKE_FAILED", "the other device could not prove who it is", cause), true);
    });
  }

  private async start(): Promise<void> {
    if (this.phase.name !== "waiting-open") return;
    const { local, random } = this.opts;
    const primitives = await this.primitives;
    const { hello, state } = await createHello({ identity: local.identity, nickname: local.nickname, deviceId: local.deviceId, random, primitives });
    if (this.phase.name !== "waiting-open") return abandonHandshake(state); // closed meanwhile
    this.phase = { name: "hello-sent", state };
    this.opts.link.send(hello);
    this.handshakeTimer = setTimeout(() => {
      if (this.phase.name !== "ready") this.shutdown(new ChannelError("HANDSHAKE_TIMEOUT", "the other device did not answer the handshake"), true);
    }, HANDSHAKE_TIMEOUT_MS);
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    const phase = this.phase;
    if (phase.name === "closed") return;
    if (bytes.length > MAX_WIRE_BYTES) {
      this.drops.unreadable += 1;
      return;
    }
    // Messages only arrive once the link is open, and start() is queued first.
    if (phase.name === "waiting-open") return void (this.drops.unreadable += 1);
    if (phase.name === "hello-sent") {
      if (bytes[1] !== KIND_HELLO) return void (this.drops.unreadable += 1);
      await this.onHello(phase.state, bytes);
      return;
    }
    if (phase.name === "auth-sent") {
      if (bytes[1] !== KIND_AUTH) return void (this.drops.unreadable += 1);
      await this.onAuth(phase.state, bytes);
      return;
    }
    await this.onMessage(phase.session, bytes);
  }

  private async onHello(state: HelloState, peerHello: Uint8Array): Promise<void> {
    const { remote, link } = this.opts;
    let key: Uint8Array;
    try {
      key = await this.expectedKey;
    } catch (error) {
      this.shutdown(new ChannelError("KEY_UNAVAILABLE", error instanceof Error ? error.message : "the other device's key could not be checked"), true);
      return;
    }
    if (this.phase.name !== "hello-sent") return;
    // No fingerprints, no handshake: an unbound handshake could run over a
    // transport someone else terminates (docs/protocol.md "Connections").
    const prints = link.fingerprints();
    if (!prints) {
      return this.shutdown(new ChannelError("HANDSHAKE_FAILED", "the connection offers no DTLS fingerprints to bind the handshake to", "NO_CHANNEL_BINDING"), true);
    }
    const { auth, state: next } = await acceptHello(state, peerHello, {
      // The hello must name the device signaling said we are talking to, and prove its listed key.
      expectedPeer: { signPublicKey: key, nickname: remote.nickname, deviceId: remote.deviceId },
      channelBinding: channelBindingFromFingerprints(prints.local, prints.remote),
    });
    if (this.phase.name !== "hello-sent") return abandonHandshake(next);
    this.remoteKey = key;
    this.phase = { name: "auth-sent", state: next };
    link.send(auth);
  }

  private async onAuth(state: AuthState, peerAuth: Uint8Array): Promise<void> {
    const session = await finishHandshake(state, peerAuth, { now: this.opts.clock(), random: this.opts.random, config: this.opts.ratchetConfig });
    if (this.phase.name !== "auth-sent") return wipeSession(session);
    this.phase = { name: "ready", session };
    clearTimeout(this.handshakeTimer);
    this.scheduleCheck();
    this.ready.emit();
  }

  private async onMessage(session: Session, wire: Uint8Array): Promise<void> {
    const now = this.opts.clock();
    const result = await ratchetDecrypt(session, wire, now, this.opts.random, await this.primitives);
    // Closed while the DH ran: the session is wiped, nothing more to do.
    if (this.phase.name !== "ready") return;
    if (!result.ok) {
      if (result.code === "SESSION_EXPIRED") return this.shutdown(new ChannelError("SESSION_EXPIRED", "the session was idle too long"), true);
      if (result.code === "STALE_CHAIN") {
        this.drops.staleChain += 1;
        return this.shutdown(new ChannelError("STALE_CHAIN", "the other device kept using a key older than the 60 s rotation allows"), true);
      }
      this.drops.unreadable += 1;
      return;
    }
    if (result.answerDue || rekeyDue(session, now)) this.sendRekey(session, now);
    this.scheduleCheck();
    if (result.kind !== "data") return;
    const decoded = decodeFrame(result.plaintext);
    if (!decoded.ok) {
      this.drops.unreadable += 1;
      return;
    }
    this.frame.emit(decoded.frame);
  }

  private sendRekey(session: Session, now: number): void {
    if (this.opts.link.isOpen) this.opts.link.send(createRekey(session, now));
  }

  /** Closes the channel when the session expired or our rekey went unanswered; true when it did. */
  private enforceClock(session: Session, now: number): boolean {
    if (sessionExpired(session, now)) {
      this.shutdown(new ChannelError("SESSION_EXPIRED", "the session was idle too long"), true);
      return true;
    }
    if (rekeyOverdue(session, now)) {
      this.shutdown(new ChannelError("REKEY_UNANSWERED", "the other device did not answer a key rotation for two periods"), true);
      return true;
    }
    return false;
  }

  /** The W Ratchet's clock: wake exactly when a rekey, an overdue answer or the idle expiry falls due. */
  private scheduleCheck(): void {
    if (this.phase.name !== "ready") return;
    clearTimeout(this.rekeyTimer);
    const session = this.phase.session;
    const wait = msUntilNextCheck(session, this.opts.clock());
    this.rekeyTimer = setTimeout(() => {
      this.enqueue(() => {
        if (this.phase.name !== "ready") return;
        const now = this.opts.clock();
        if (this.enforceClock(session, now)) return;
        if (rekeyDue(session, now)) this.sendRekey(session, now);
        this.scheduleCheck();
      });
    }, Math.max(wait, 50));
  }

  private shutdown(error: ChannelError | null, closeLink = false): void {
    const phase = this.phase;
    if (phase.name === "closed") return;
    this.phase = { name: "closed" };
    // Nothing of a closed channel's keys outlives it.
    if (phase.name === "ready") wipeSession(phase.session);
    else if (phase.name !== "waiting-open") abandonHandshake(phase.state);
    clearTimeout(this.rekeyTimer);
    clearTimeout(this.handshakeTimer);
    if (closeLink) this.opts.link.close({ notify: true });
    this.closed.emit(error);
    this.ready.clear();
    this.frame.clear();
    this.closed.clear();
  }
}
