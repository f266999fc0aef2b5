import { ApiRequestError, fetchJson } from "@/lib/api-client/fetch-json";
import { nicknameSchema } from "@/lib/auth/nickname";
import { safetyNumber, toBase64, type SafetyNumber } from "@/lib/crypto";
import type { LocalDevice } from "@/lib/this-device/ensure-device";
import { browserRandom } from "@/lib/this-device/browser-random";
import { IceServers } from "@/lib/ice/ice-refresh";
import type { IceConfig } from "@/lib/ice/schemas";
import { chatTextSchema, type Frame } from "@/lib/protocol";
import { connectSignaling, type SignalingClient, type SignalingState } from "@/lib/signaling/client";
import type { SignalingClientConfig } from "@/lib/signaling/schemas";
import { loadConversation, type StoredMessage } from "@/lib/store/history-store";
import { pruneSeen } from "@/lib/store/seen-store";
import { Connections, type Connection, type ReachState } from "./connections";
import { Delivery } from "./delivery";
import { KeyWarnings, type KeyWarning } from "./key-warnings";
import { hasTurnServer } from "./link-admission";
import { watchNetwork } from "./network-watch";
import { PeerTrust } from "./peer-trust";
import { RecentContacts, type ContactView } from "./recent-contacts";
import { acceptKey, acknowledgeDevice, changedKeys, DeviceUnknownError, expectedKey, forgetPublicDevices, KeyChangedError, newDevices, publicDevices, type NewDevice } from "./peer-keys";
import { PresenceWatch, readPresence } from "./presence-watch";

// The chat of one tab: signaling, connections, delivery and the state the
// page shows, as one immutable snapshot replaced on every change
// (useSyncExternalStore). Message text lives here and in IndexedDB only:
// never in URLs, query keys or requests to the server.

export interface ChatConfig {
  signaling: SignalingClientConfig;
  ice: IceConfig;
}

export interface ConversationView {
  peer: string;
  messages: StoredMessage[];
  connection: ReachState;
  keyWarnings: KeyWarning[];
  /** Devices the peer added since this browser first knew them, not yet acknowledged (they still get messages). */
  newDevices: NewDevice[];
  /** Why the conversation cannot be used (unknown nickname...). */
  error: string | null;
  /** Something the user should know that does not stop the conversation. */
  notice: string | null;
  /** Neither messaged nor accepted by this account: its messages are a message request. */
  stranger: boolean;
  blocked: boolean;
}

export interface MessengerSnapshot {
  signaling: SignalingState;
  contacts: ContactView[];
  conversation: ConversationView | null;
  droppedFrames: number;
  /** Messages refused because they came on a peer chain older than the 60 s rotation allows. */
  staleChains: number;
  /** A content-free notice from another device of this account (e.g. the home relay's ping). */
  notice: string | null;
}

export type { KeyWarning } from "./key-warnings";
export type { NewDevice } from "./peer-keys";

export type FrameHandler = (connection: Connection, frame: Frame) => Promise<boolean>;

/** Received messages kept for display this session, per peer (logs-only devices keep no history). */
const LIVE_PER_PEER = 500;

const newId = () => toBase64(browserRandom(16)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export class Messenger {
  readonly connections: Connections;
  readonly delivery: Delivery;
  readonly signaling: SignalingClient;
  private readonly presence: PresenceWatch;
  private readonly listeners = new Set<() => void>();
  private snapshot: MessengerSnapshot = { signaling: "connecting", contacts: [], conversation: null, droppedFrames: 0, staleChains: 0, notice: null };
  private readonly frameHandlers: FrameHandler[] = [];
  private readonly live = new Map<string, StoredMessage[]>();
  private readonly keyWarnings = new KeyWarnings();
  private readonly contacts: RecentContacts;
  private readonly ice: IceServers;
  private unwatchNetwork: () => void = () => undefined;
  private readonly closedDrops = { unreadable: 0, staleChain: 0 };
  readonly trust: PeerTrust;
  private readonly heardFrom = new Set<string>();
  /** Strangers' links use relay candidates only when this is true. */
  readonly turnConfigured: boolean;

  constructor(
    readonly device: LocalDevice & { nickname: string },
    config: ChatConfig,
    private readonly clock: () => number = Date.now,
  ) {
    const account = device.nickname;
    this.trust = new PeerTrust(account);
    // TURN credentials minted by the server arrive after start, but whether there will be any is known now.
    this.turnConfigured = config.ice.turn || hasTurnServer(config.ice.iceServers);
    this.signaling = connectSignaling({ config: config.signaling, nickname: account, deviceId: device.deviceId });
    this.ice = new IceServers(config.ice, { fetchConfig: () => fetchJson<unknown>("/api/ice-servers") });
    this.connections = new Connections({
      local: { identity: device.identity, nickname: account, deviceId: device.deviceId },
      iceServers: () => this.ice.current,
      random: browserRandom,
      clock,
      newLinkId: newId,
      sendSignal: (signal) => this.signaling.send(signal),
      expectedKey: (peer, deviceId) => this.keyFor(peer, deviceId),
      peerPolicy: (peer) => {
        const stranger = !this.trust.isContact(peer);
        return { blocked: this.trust.isBlocked(peer), stranger, iceTransportPolicy: stranger && this.turnConfigured ? "relay" : "all" };
      },
    });
    this.delivery = new Delivery(account, this.connections, clock);
    this.contacts = new RecentContacts(account, clock, (contacts) => this.publish({ contacts }), (peer) => this.isRequest(peer));
    this.presence = new PresenceWatch(
      (peer, presence) => this.connections.dial(peer, presence.online.map((d) => d.deviceId)),
      async (peer) => (await this.delivery.pendingPeers()).has(peer) && !this.connections.of(peer).some((c) => c.channel.isReady),
    );
    this.wire();
  }

  get account(): string {
    return this.device.nickname;
  }

  async start(): Promise<void> {
    await this.trust.loaded;
    // This device's TURN credentials first, so the first dial can use them.
    await this.ice.start();
    this.unwatchNetwork = watchNetwork(() => this.onNetworkChange());
    await pruneSeen(this.account, this.clock());
    await this.contacts.refresh();
    for (const peer of await this.delivery.pendingPeers()) void this.reach(peer);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): MessengerSnapshot => this.snapshot;

  /** "Connect": open the conversation with a nickname and dial its online devices. */
  async openConversation(input: string): Promise<void> {
    const parsed = nicknameSchema.safeParse(input);
    if (!parsed.success) return this.setConversation({ peer: input.trim(), messages: [], connection: "offline", keyWarnings: [], newDevices: [], error: `A nickname ${parsed.error.issues[0]?.message ?? "is not valid"}.`, notice: null, stranger: false, blocked: false });
    const peer = parsed.data;
    if (peer === this.account) return this.setConversation({ peer, messages: [], connection: "offline", keyWarnings: [], newDevices: [], error: "That is you. Enter someone else's nickname.", notice: null, stranger: false, blocked: false });
    this.contacts.markRead(peer);
    // "Connect" always asks the server afresh. The key check, the history and
    // the presence lookup run side by side: the handshake itself refuses a
    // device whose key changed, so dialing need not wait for the check.
    forgetPublicDevices(peer);
    const keysChecked = publicDevices(peer).then(async (devices) => ({ changed: await changedKeys(this.account, peer, devices), added: await newDevices(this.account, peer, devices) }));
    keysChecked.catch(() => undefined);
    const history = loadConversation(this.account, peer);
    this.setConversation({ peer, messages: [], connection: this.connections.summary(peer), keyWarnings: this.keyWarnings.of(peer), newDevices: [], error: null, notice: null, ...this.trustOf(peer) });
    const dialed = this.reach(peer);
    this.patchConversation(peer, { messages: this.withLive(peer, await history) });
    try {
      const { changed, added } = await keysChecked;
      for (const change of changed) this.noteKeyChange(change);
      this.patchConversation(peer, { newDevices: added });
    } catch (error) {
      const message = error instanceof ApiRequestError && error.status === 404 ? `There is no one called "${peer}".` : "Could not look that nickname up. Try again.";
      return this.patchConversation(peer, { error: message });
    }
    await dialed;
    await this.contacts.note(peer);
  }

  /** Queues a message to the open conversation; returns an error to show, or null. */
  async sendMessage(text: string): Promise<string | null> {
    const peer = this.snapshot.conversation?.peer;
    if (!peer || this.snapshot.conversation?.error) return "Connect to someone first.";
    const checked = chatTextSchema.safeParse(text);
    if (!checked.success) return `A message ${checked.error.issues[0]?.message ?? "is not valid"}.`;
    if (this.keyWarnings.blocksPeer(peer)) return `Sending is paused: a security key of ${peer} changed. Review it first.`;
    if (this.trust.isBlocked(peer)) return `You blocked ${peer}. Accept them first to write to them.`;
    // Writing to someone makes them a contact (docs/protocol.md "Strangers").
    await this.acceptPeer(peer);
    await this.delivery.send(peer, newId(), checked.data);
    void this.contacts.note(peer);
    // A ready channel already carried it; otherwise find the peer.
    if (!this.connections.of(peer).some((c) => c.channel.isReady)) void this.reach(peer);
    return null;
  }

  async acceptKeyChange(peer: string, deviceId: string): Promise<void> {
    const warning = this.keyWarnings.take(peer, deviceId);
    if (!warning) return;
    await acceptKey(this.account, peer, deviceId, warning.newKey);
    this.patchConversation(peer, { keyWarnings: this.keyWarnings.of(peer) });
    await this.reach(peer);
  }

  /** "Accept" on a message request, or writing to someone: a contact from now on. */
  async acceptPeer(peer: string): Promise<void> {
    await this.trust.accept(peer);
    this.patchConversation(peer, this.trustOf(peer));
    void this.contacts.refresh();
  }

  /** "Block": their devices are cut off now and refused before any WebRTC work from now on. */
  async blockPeer(peer: string): Promise<void> {
    await this.trust.block(peer);
    for (const connection of this.connections.of(peer)) this.connections.closeDevice(connection.deviceId);
    this.presence.unwatch(peer);
    this.patchConversation(peer, this.trustOf(peer));
    void this.contacts.refresh();
  }

  /** A stranger (not blocked) who wrote to this account this session. */
  private isRequest(peer: string): boolean {
    return this.heardFrom.has(peer) && !this.trust.isContact(peer) && !this.trust.isBlocked(peer);
  }

  private trustOf(peer: string): { stranger: boolean; blocked: boolean } {
    return { stranger: !this.trust.isContact(peer), blocked: this.trust.isBlocked(peer) };
  }

  /** The person has seen that `peer` has this new device. */
  async acknowledgeNewDevice(peer: string, deviceId: string): Promise<void> {
    await acknowledgeDevice(this.account, peer, deviceId);
    const conversation = this.snapshot.conversation;
    if (conversation?.peer === peer) this.patchConversation(peer, { newDevices: conversation.newDevices.filter((d) => d.deviceId !== deviceId) });
  }

  /** Frames other than chat and ack (the home relay's) go to these handlers. */
  addFrameHandler(handler: FrameHandler): void {
    this.frameHandlers.push(handler);
  }

  dismissNotice(): void {
    this.publish({ notice: null });
  }

  /** Safety numbers of the open conversation's connected devices. */
  safetyNumbers(peer: string): { deviceId: string; number: SafetyNumber }[] {
    return this.connections
      .of(peer)
      .filter((c) => c.channel.remoteSignKey)
      .map((c) => ({
        deviceId: c.deviceId,
        number: safetyNumber({ stableId: this.account, signPublicKey: this.device.identity.signPublicKey }, { stableId: peer, signPublicKey: c.channel.remoteSignKey! }),
      }));
  }

  stop(): void {
    this.unwatchNetwork();
    this.ice.stop();
    this.presence.stop();
    this.connections.close();
    this.signaling.close();
  }

  /** Dials every online device of `peer`; watches presence while messages wait. */
  private async reach(peer: string): Promise<void> {
    if (this.keyWarnings.blocksPeer(peer) || this.trust.isBlocked(peer)) return;
    try {
      const presence = await readPresence(peer);
      this.connections.dial(peer, presence.online.map((d) => d.deviceId));
    } catch {
      // Unknown or unreachable right now: the watch below retries.
    }
    await this.delivery.flush(peer);
    const waiting = await this.delivery.pendingPeers();
    if (waiting.has(peer) && !this.connections.of(peer).some((c) => c.channel.isReady)) {
      this.presence.watch(peer);
      await this.markWaiting(peer);
    }
  }

  /** New network: links restart ICE, peers once unreachable are tried afresh. */
  private async onNetworkChange(): Promise<void> {
    this.connections.networkChanged();
    for (const peer of await this.delivery.pendingPeers()) void this.reach(peer);
    const open = this.snapshot.conversation?.peer;
    if (open) this.patchConversation(open, { connection: this.connections.summary(open) });
  }

  private async watchIfWaiting(peer: string): Promise<void> {
    if ((await this.delivery.pendingPeers()).has(peer) && !this.connections.of(peer).some((c) => c.channel.isReady)) this.presence.watch(peer);
  }

  private async markWaiting(peer: string): Promise<void> {
    const conversation = this.snapshot.conversation;
    if (conversation?.peer !== peer || this.connections.of(peer).length > 0) return;
    this.patchConversation(peer, { messages: conversation.messages.map((m) => (m.status === "pending" ? { ...m, status: "waiting" } : m)) });
  }

  private async keyFor(peer: string, deviceId: string): Promise<Uint8Array> {
    try {
      const key = await expectedKey(this.account, peer, deviceId);
      // A device of the open conversation's peer seen for the first time just now is news.
      if (this.snapshot.conversation?.peer === peer) void this.refreshNewDevices(peer);
      return key;
    } catch (error) {
      if (error instanceof KeyChangedError) this.noteKeyChange(error);
      if (error instanceof DeviceUnknownError) throw new Error(error.message);
      throw error;
    }
  }

  private async refreshNewDevices(peer: string): Promise<void> {
    try {
      const added = await newDevices(this.account, peer, await publicDevices(peer));
      this.patchConversation(peer, { newDevices: added });
    } catch {
      // The next Connect checks again.
    }
  }

  /** Sending to `peer` stops until the user accepts (or the key changes back). */
  private noteKeyChange(change: KeyChangedError): void {
    this.keyWarnings.note(change);
    this.connections.closeDevice(change.deviceId);
    this.patchConversation(change.peer, { keyWarnings: this.keyWarnings.of(change.peer) });
  }

  private wire(): void {
    this.signaling.onState((state) => this.publish({ signaling: state }));
    this.signaling.onSignal((signal) => {
      if (this.keyWarnings.blocksDevice(signal.from.nickname, signal.from.deviceId)) return;
      // Until the contact list is read, in arrival order; then at once. Blocked senders stop in handleSignal.
      void this.trust.loaded.then(() => this.connections.handleSignal(signal));
    });
    this.connections.ready.on((connection) => void this.onReady(connection));
    this.ice.changed.on((servers) => this.connections.updateIceServers(servers));
    this.connections.failed.on(({ connection, error }) => {
      if (error.name !== "ChannelError") return;
      const code = (error as { code?: string }).code;
      if (code === "REKEY_UNANSWERED" || code === "STALE_CHAIN") {
        const why = code === "STALE_CHAIN" ? "kept using a key older than the 60 s rotation allows" : "stopped answering key rotations";
        return this.patchConversation(connection.nickname, { notice: `One of ${connection.nickname}'s devices ${why}: the connection was closed and is being made again.` });
      }
      const why = code === "HANDSHAKE_TIMEOUT" ? "it did not answer in time" : code === "KEY_UNAVAILABLE" ? "its key could not be checked" : "it could not prove it is the device the server lists";
      this.patchConversation(connection.nickname, { notice: `A connection to one of ${connection.nickname}'s devices was refused: ${why}.` });
    });
    this.connections.ready.on((connection) => this.patchConversation(connection.nickname, { notice: null }));
    this.connections.changed.on((connection) => this.patchConversation(connection.nickname, { connection: this.connections.summary(connection.nickname) }));
    // A lost connection with messages still waiting: look for the peer again,
    // with backoff (an immediate redial could chase a peer that is going away).
    this.connections.lost.on((connection) => {
      this.closedDrops.unreadable += connection.channel.drops.unreadable;
      this.closedDrops.staleChain += connection.channel.drops.staleChain;
      this.countDropped();
      void this.watchIfWaiting(connection.nickname);
    });
    this.connections.frame.on(({ connection, frame }) => void this.routeFrame(connection, frame));
    this.signaling.onNotice((raw) => {
      const notice = raw as { type?: unknown; count?: unknown; fromDevice?: unknown };
      if (notice?.type !== "ping" || notice.fromDevice === this.device.deviceId || typeof notice.count !== "number") return;
      this.publish({ notice: `Your home relay received ${notice.count} new message${notice.count === 1 ? "" : "s"}.` });
    });
    this.delivery.updated.on((message) => this.upsertMessage(message));
    this.delivery.received.on(({ message }) => {
      this.heardFrom.add(message.peer);
      this.live.set(message.peer, [...(this.live.get(message.peer) ?? []), message].slice(-LIVE_PER_PEER));
      this.upsertMessage(message);
      if (this.snapshot.conversation?.peer !== message.peer) this.contacts.markUnread(message.peer);
      void this.contacts.note(message.peer);
    });
  }

  private async routeFrame(connection: Connection, frame: Frame): Promise<void> {
    if (this.trust.isBlocked(connection.nickname)) return;
    try {
      if (await this.delivery.onFrame(connection, frame)) return;
      for (const handler of this.frameHandlers) if (await handler(connection, frame)) return;
    } finally {
      this.countDropped();
    }
  }

  /** History plus what arrived live this session (which a logs-only device does not keep). */
  private withLive(peer: string, stored: StoredMessage[]): StoredMessage[] {
    const known = new Set(stored.map((m) => m.id));
    return [...stored, ...(this.live.get(peer) ?? []).filter((m) => !known.has(m.id))].sort((a, b) => a.at - b.at);
  }

  private async onReady(connection: Connection): Promise<void> {
    this.presence.unwatch(connection.nickname);
    await this.delivery.onReady(connection);
  }

  /** Drops of this session's connections, closed ones included (a stale chain closes its channel at once). */
  private countDropped(): void {
    const live = this.connections.all();
    const dropped = live.reduce((n, c) => n + c.channel.drops.unreadable, this.closedDrops.unreadable) + this.signaling.dropped();
    const staleChains = live.reduce((n, c) => n + c.channel.drops.staleChain, this.closedDrops.staleChain);
    if (dropped !== this.snapshot.droppedFrames || staleChains !== this.snapshot.staleChains) this.publish({ droppedFrames: dropped, staleChains });
  }

  private upsertMessage(message: StoredMessage): void {
    const conversation = this.snapshot.conversation;
    if (conversation?.peer !== message.peer) return;
    const index = conversation.messages.findIndex((m) => m.id === message.id);
    const messages = index === -1 ? [...conversation.messages, message] : conversation.messages.map((m, i) => (i === index ? message : m));
    this.patchConversation(message.peer, { messages });
  }

  private setConversation(conversation: ConversationView): void {
    this.publish({ conversation });
  }

  private patchConversation(peer: string, change: Partial<ConversationView>): void {
    const conversation = this.snapshot.conversation;
    if (conversation?.peer !== peer) return;
    this.publish({ conversation: { ...conversation, ...change } });
  }

  private publish(change: Partial<MessengerSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }
}
