import { ROTATION_FAILURES, SecureChannel, type ChannelError } from "@/lib/channel/secure-channel";
import type { DeviceIdentity, RandomSource, RatchetConfig } from "@/lib/crypto";
import type { Frame } from "@/lib/protocol";
import { PeerLink, type LinkState, type OutgoingSignal } from "@/lib/rtc/peer-link";
import { routeSignal } from "@/lib/rtc/route-signal";
import { parseSignalPayload } from "@/lib/rtc/signal-payload";
import { Emitter } from "@/lib/shared/emitter";
import { admitLink, STRANGER_IDLE_MS } from "./link-admission";
import { SignalQueue } from "./signal-queue";
import type { SignalEvent, SignalRequest } from "@/lib/signaling/schemas";

// Every connection this tab has: one PeerLink + SecureChannel per remote
// device, created by dialing (we know the device from presence) or by an
// incoming offer (signaling stamped who sent it). A remote that reloaded shows
// up with a new link id; its old link is closed and a fresh one answers.
// Blocked senders are refused before any WebRTC work; strangers get few
// links, relayed routes when TURN is configured, and are closed when idle
// (link-admission.ts).

export { MAX_LINKS } from "./link-admission";

/** A link prepared ahead of dialing that no dial took within this time is closed. */
export const PREPARED_LINK_MS = 15_000;
/** Links prepared ahead at most at once (one per nickname being connected to); the oldest makes room. */
export const MAX_PREPARED_LINKS = 4;

export interface Connection {
  nickname: string;
  deviceId: string;
  link: PeerLink;
  channel: SecureChannel;
  /** Opened to or from a nickname that is not a contact. */
  stranger?: boolean;
}

/** What the conversation header shows: a link's state, or that no path to the peer works from this network. */
export type ReachState = LinkState | "unreachable";

/** What this tab allows a nickname (default: everyone is a contact, nobody blocked). */
export interface PeerPolicy {
  blocked: boolean;
  stranger: boolean;
  iceTransportPolicy: RTCIceTransportPolicy;
}
const OPEN_DOOR: PeerPolicy = { blocked: false, stranger: false, iceTransportPolicy: "all" };

export interface ConnectionsOptions {
  local: { identity: DeviceIdentity; nickname: string; deviceId: string };
  /** Read for every new link: TURN credentials are renewed while the tab runs. */
  iceServers: () => RTCIceServer[];
  random: RandomSource;
  clock: () => number;
  sendSignal: (signal: SignalRequest) => Promise<void>;
  expectedKey: (nickname: string, deviceId: string) => Promise<Uint8Array>;
  newLinkId: () => string;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  ratchetConfig?: Partial<RatchetConfig>;
  peerPolicy?: (nickname: string) => PeerPolicy;
}

export class Connections {
  readonly ready = new Emitter<Connection>();
  readonly frame = new Emitter<{ connection: Connection; frame: Frame }>();
  readonly changed = new Emitter<Connection>();
  /** A channel ended for a reason other than its link closing (handshake refused, rotation lapsed...). */
  readonly failed = new Emitter<{ connection: Connection; error: ChannelError }>();
  /** A connection is gone (closed by either side, failed, or replaced). */
  readonly lost = new Emitter<Connection>();
  /** A peer device answered, but no network path to it worked (LinkError ERR_UNREACHABLE). */
  readonly unreachable = new Emitter<Connection>();
  private readonly byDevice = new Map<string, Connection>();
  /** Devices found unreachable, by device id → nickname, until a connection to them works. */
  private readonly unreachableDevices = new Map<string, string>();
  private readonly activity = new WeakMap<Connection, { at: number; idle?: ReturnType<typeof setTimeout> }>();
  /** Links started before the peer's devices are known (prepare), one per nickname, until dial binds or drops them. */
  private readonly prepared = new Map<string, { link: PeerLink; policy: PeerPolicy; timer: ReturnType<typeof setTimeout> }>();
  /** Set by close(), for good: nothing dials, answers or redials after it (a rotation failure reported while closing would). */
  private isClosed = false;

  constructor(private readonly opts: ConnectionsOptions) {}

  all(): Connection[] {
    return [...this.byDevice.values()];
  }

  of(nickname: string): Connection[] {
    return this.all().filter((c) => c.nickname === nickname);
  }

  /**
   * Starts a link to `nickname` before its devices are known ("Connect" asks
   * the server who is online meanwhile): the connection is made, its offer
   * written and candidates gathered, so the first dial sends them at once.
   * Nothing leaves this device until dial() binds it to a device.
   */
  prepare(nickname: string): void {
    if (this.isClosed || this.prepared.has(nickname) || this.of(nickname).length > 0) return;
    const policy = this.policy(nickname);
    if (policy.blocked) return;
    if (this.prepared.size >= MAX_PREPARED_LINKS) this.dropPrepared(this.prepared.keys().next().value!);
    const link = this.newLink(policy);
    const timer = setTimeout(() => this.dropPrepared(nickname), PREPARED_LINK_MS);
    this.prepared.set(nickname, { link, policy, timer });
  }

  /** Opens a connection to each device not already connected (the first takes a prepared link); an unused prepared link is closed. */
  dial(nickname: string, deviceIds: string[]): void {
    for (const deviceId of deviceIds) {
      if (deviceId === this.opts.local.deviceId || this.byDevice.has(deviceId)) continue;
      this.open(nickname, deviceId);
    }
    this.dropPrepared(nickname);
  }

  handleSignal(signal: SignalEvent): void {
    // A blocked sender costs nothing: not even parsing its signal.
    if (this.isClosed || this.policy(signal.from.nickname).blocked) return;
    const payload = parseSignalPayload(signal.data);
    if (!payload) return;
    const { nickname, deviceId } = signal.from;
    let connection = this.byDevice.get(deviceId);
    // A connection keyed by this device id but for another nickname cannot be right.
    if (connection && connection.nickname !== nickname) return;
    const route = routeSignal(connection?.link, signal.type, payload);
    if (route === "ignore") return;
    if (route === "replace" && connection) this.drop(connection);
    if (route !== "deliver" || !connection) connection = this.open(nickname, deviceId);
    if (connection) void connection.link.handleSignal(signal.type, payload);
  }

  send(connection: Connection, frame: Frame): boolean {
    const sent = connection.channel.send(frame);
    if (sent) this.touch(connection);
    return sent;
  }

  close(): void {
    this.isClosed = true;
    for (const nickname of [...this.prepared.keys()]) this.dropPrepared(nickname);
    for (const connection of this.all()) this.drop(connection, true);
  }

  closeDevice(deviceId: string): void {
    const connection = this.byDevice.get(deviceId);
    if (connection) this.drop(connection, true);
  }

  /**
   * "unreachable" sticks while redials run (they would otherwise show
   * "connecting" again each time) and until a connection to the peer works.
   */
  summary(nickname: string): ReachState {
    const states = this.of(nickname).map((c) => (c.channel.isReady ? c.link.state : "connecting"));
    if (states.includes("direct")) return "direct";
    if (states.includes("relayed")) return "relayed";
    if (this.isUnreachable(nickname)) return "unreachable";
    if (states.includes("connecting")) return "connecting";
    return "offline";
  }

  isUnreachable(nickname: string): boolean {
    for (const name of this.unreachableDevices.values()) if (name === nickname) return true;
    return false;
  }

  /** Renewed STUN/TURN servers: every live link uses them from its next gathering. */
  updateIceServers(iceServers: RTCIceServer[]): void {
    for (const connection of this.all()) connection.link.updateIceServers(iceServers);
  }

  /** This device's network changed: restart ICE everywhere and judge reachability afresh. */
  networkChanged(): void {
    this.unreachableDevices.clear();
    for (const connection of this.all()) connection.link.networkChanged();
  }

  private policy(nickname: string): PeerPolicy {
    return this.opts.peerPolicy?.(nickname) ?? OPEN_DOOR;
  }

  private open(nickname: string, deviceId: string): Connection | undefined {
    const policy = this.policy(nickname);
    if (this.isClosed || policy.blocked) return undefined;
    const views = this.all().map((c) => ({ connection: c, nickname: c.nickname, stranger: c.stranger === true, lastActiveAt: this.activity.get(c)?.at ?? 0 }));
    const admission = admitLink(views, { nickname, stranger: policy.stranger }, this.opts.clock());
    if (!admission.admit) return undefined;
    if (admission.evict) this.drop(admission.evict.connection, true);
    const { local } = this.opts;
    const outgoing = new SignalQueue((request) => this.opts.sendSignal(request));
    const sendSignal = (signal: OutgoingSignal) => outgoing.push({ to: nickname, toDevice: deviceId, type: signal.type, data: JSON.stringify(signal.payload) });
    // Fixed roles for offer collisions: the larger device id yields.
    const polite = local.deviceId > deviceId;
    const ahead = this.prepared.get(nickname);
    let link: PeerLink;
    if (ahead && ahead.policy.iceTransportPolicy === policy.iceTransportPolicy) {
      this.prepared.delete(nickname);
      clearTimeout(ahead.timer);
      link = ahead.link;
      link.bind({ polite, sendSignal });
    } else {
      link = this.newLink(policy, { polite, sendSignal });
    }
    // Before the channel subscribes, so the mark is set when "changed" fires.
    link.closed.on((error) => {
      if (error?.code !== "ERR_UNREACHABLE") return;
      this.unreachableDevices.set(deviceId, nickname);
      this.unreachable.emit(connection);
    });
    const channel = new SecureChannel({
      link,
      local,
      remote: { nickname, deviceId },
      expectedKey: () => this.opts.expectedKey(nickname, deviceId),
      random: this.opts.random,
      clock: this.opts.clock,
      ratchetConfig: this.opts.ratchetConfig,
    });
    const connection: Connection = { nickname, deviceId, link, channel, stranger: policy.stranger };
    this.byDevice.set(deviceId, connection);
    this.touch(connection);
    outgoing.onRefused = () => this.drop(connection);
    link.stateChanged.on(() => this.changed.emit(connection));
    channel.ready.on(() => {
      this.unreachableDevices.delete(deviceId);
      this.ready.emit(connection);
      this.changed.emit(connection);
    });
    channel.frame.on((frame) => {
      this.touch(connection);
      this.frame.emit({ connection, frame });
    });
    channel.closed.on((error) => {
      clearTimeout(this.activity.get(connection)?.idle);
      if (this.byDevice.get(deviceId) === connection) this.byDevice.delete(deviceId);
      if (error && error.code !== "LINK_CLOSED") this.failed.emit({ connection, error });
      this.changed.emit(connection);
      this.lost.emit(connection);
      // A peer that let the rotation lapse gets a fresh handshake (a new
      // connection), which renews every chain at once.
      if (error && ROTATION_FAILURES.has(error.code) && !policy.stranger) this.dial(nickname, [deviceId]);
    });
    this.changed.emit(connection);
    return connection;
  }

  private newLink(policy: PeerPolicy, bound?: { polite: boolean; sendSignal: (signal: OutgoingSignal) => void }): PeerLink {
    return new PeerLink({
      linkId: this.opts.newLinkId(),
      polite: bound?.polite ?? false,
      iceServers: this.opts.iceServers(),
      iceTransportPolicy: policy.iceTransportPolicy,
      createPeerConnection: this.opts.createPeerConnection,
      sendSignal: bound?.sendSignal,
    });
  }

  private dropPrepared(nickname: string): void {
    const ahead = this.prepared.get(nickname);
    if (!ahead) return;
    this.prepared.delete(nickname);
    clearTimeout(ahead.timer);
    ahead.link.close();
  }

  /** Marks a connection as active; a stranger's is closed after STRANGER_IDLE_MS without frames. */
  private touch(connection: Connection): void {
    const entry = this.activity.get(connection) ?? { at: 0 };
    entry.at = this.opts.clock();
    if (connection.stranger) {
      clearTimeout(entry.idle);
      entry.idle = setTimeout(() => this.drop(connection, true), STRANGER_IDLE_MS);
    }
    this.activity.set(connection, entry);
  }

  private drop(connection: Connection, notify = false): void {
    if (this.byDevice.get(connection.deviceId) === connection) this.byDevice.delete(connection.deviceId);
    connection.channel.close();
    connection.link.close({ notify });
    this.changed.emit(connection);
  }
}
