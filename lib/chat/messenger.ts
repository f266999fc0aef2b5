import { ApiRequestError, fetchJson } from "@/lib/api-client/fetch-json";
import { safetyNumber, toBase64, type SafetyNumber } from "@/lib/crypto";
import { IceServers } from "@/lib/ice/ice-refresh";
import type { IceConfig } from "@/lib/ice/schemas";
import type { Frame } from "@/lib/protocol";
import { pingNoticeSchema } from "@/lib/push/schemas";
import type { Listenable } from "@/lib/rtc/byte-link";
import { connectSignaling, type SignalingClient } from "@/lib/signaling/client";
import type { SignalingClientConfig } from "@/lib/signaling/schemas";
import { StoreError } from "@/lib/store/idb";
import { loadHistoryPage } from "@/lib/store/history-store";
import { pruneSeen } from "@/lib/store/seen-store";
import type { LocalDevice } from "@/lib/this-device/ensure-device";
import { browserRandom } from "@/lib/this-device/browser-random";
import { chatTextRule, connectionNotice, parseNickname, type ConversationProblem, type SendRefusal } from "./chat-codes";
import { ChatStore, type ChatSnapshot } from "./chat-store";
import { Connections, type Connection } from "./connections";
import { openingView, trustOf } from "./conversation-view";
import { Delivery, type ReceivedMessage, type ReceiveSink } from "./delivery";
import { hasTurnServer } from "./link-admission";
import { LiveMessages } from "./live-messages";
import { watchNetwork } from "./network-watch";
import { PeerDirectory } from "./peer-directory";
import { PeerKeys } from "./peer-keys";
import { PeerReach } from "./peer-reach";
import { PeerTrust } from "./peer-trust";
import { RecentContacts } from "./recent-contacts";
import type { Timeline } from "./timeline";

// The chat of one tab, put together: signaling feeds the connections, the
// connections feed delivery, and what a person sees goes to the snapshot
// store (chat-store.ts) and the open conversation's timeline. Each part does
// one job: peer-directory (what the server says about a peer), peer-reach
// (dialing and presence), peer-keys (pins, key changes, new devices),
// peer-trust (contacts, strangers, blocked), delivery (outbox, acks). Message
// text lives in memory and IndexedDB only: never in URLs, query keys or
// requests to the server.

export interface ChatConfig {
  signaling: SignalingClientConfig;
  ice: IceConfig;
}

export interface MessengerOptions {
  /** Where received chat messages are stored (default: the history); the home relay passes its log sink. */
  receiveSink?: () => ReceiveSink | Promise<ReceiveSink>;
  clock?: () => number;
}

/** Handles a frame other than chat and ack (the home relay's); true when it took it. */
export type FrameHandler = (connection: Connection, frame: Frame) => Promise<boolean>;

export type { ChatSnapshot, ConversationView } from "./chat-store";

const newId = () => toBase64(browserRandom(16)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export class Messenger {
  readonly store = new ChatStore();
  readonly connections: Connections;
  readonly signaling: SignalingClient;
  readonly trust: PeerTrust;
  /** Strangers' links use relay candidates only when this is true. */
  readonly turnConfigured: boolean;
  private readonly delivery: Delivery;
  private readonly directory = new PeerDirectory();
  private readonly keys: PeerKeys;
  private readonly reach: PeerReach;
  private readonly contacts: RecentContacts;
  private readonly ice: IceServers;
  private readonly live = new LiveMessages();
  private readonly heardFrom = new Set<string>();
  private readonly frameHandlers = new Set<FrameHandler>();
  private readonly closedDrops = { unreadable: 0, staleChain: 0 };
  private readonly clock: () => number;
  /** Whether the open conversation is on screen (the page shows it and is visible). */
  private onScreen = false;
  private unwatchNetwork: () => void = () => undefined;

  constructor(
    readonly device: LocalDevice & { nickname: string },
    config: ChatConfig,
    opts: MessengerOptions = {},
  ) {
    const account = device.nickname;
    const clock = (this.clock = opts.clock ?? Date.now);
    this.trust = new PeerTrust(account);
    this.keys = new PeerKeys(account, this.directory);
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
      expectedKey: (peer, deviceId) => this.keys.expectedKey(peer, deviceId),
      peerPolicy: (peer) => {
        const stranger = !this.trust.isContact(peer);
        return { blocked: this.trust.isBlocked(peer), stranger, iceTransportPolicy: stranger && this.turnConfigured ? "relay" : "all" };
      },
    });
    this.delivery = new Delivery({ account, connections: this.connections, clock, sink: opts.receiveSink });
    this.reach = new PeerReach({
      presence: (peer, o) => this.directory.presence(peer, o),
      connections: this.connections,
      delivery: this.delivery,
      mayDial: (peer) => !this.keys.blocksPeer(peer) && !this.trust.isBlocked(peer),
      waiting: (peer) => (this.store.openPeer === peer ? this.store.getSnapshot().conversation!.timeline.markWaiting() : undefined),
    });
    this.contacts = new RecentContacts(
      account,
      clock,
      (contacts) => this.store.update({ contacts }),
      (peer) => this.isRequest(peer),
      // A home relay keeps received messages in its sealed log, not here: its rows show what arrived this session.
      async (peer) => (await loadHistoryPage(account, peer, null, 1))[0] ?? null,
    );
    this.wire();
  }

  get account(): string {
    return this.device.nickname;
  }

  get deviceId(): string {
    return this.device.deviceId;
  }

  /** A chat message arrived for the first time, stored and acknowledged. */
  get received(): Listenable<ReceivedMessage> {
    return this.delivery.received;
  }

  subscribe = (listener: () => void) => this.store.subscribe(listener);
  getSnapshot = (): ChatSnapshot => this.store.getSnapshot();

  async start(): Promise<void> {
    await this.trust.loaded;
    // This device's TURN credentials first, so the first dial can use them.
    await this.ice.start();
    this.unwatchNetwork = watchNetwork(() => this.onNetworkChange());
    await pruneSeen(this.account, this.clock());
    await this.delivery.load();
    await this.contacts.refresh();
    await this.reach.reachWaiting();
  }

  /**
   * "Connect": opens the conversation with a nickname. The server is asked
   * afresh for the peer's devices and presence, side by side; the devices
   * are dialed as soon as presence answers (the handshake itself refuses a
   * device whose key changed, so dialing need not wait for the key review),
   * and the newest page of history loads meanwhile.
   */
  async openConversation(input: string): Promise<void> {
    const parsed = parseNickname(input);
    if (!parsed.ok) return void this.show(input.trim(), parsed.problem);
    const peer = parsed.nickname;
    if (peer === this.account) return void this.show(peer, { code: "nickname-self" });
    this.contacts.markRead(peer);
    // The transport starts while the server is asked who is online.
    if (!this.keys.blocksPeer(peer) && !this.trust.isBlocked(peer)) this.connections.prepare(peer);
    const { devices, presence } = this.directory.lookUp(peer);
    const timeline = this.show(peer, null);
    const history = timeline.loadOlder().catch(() => undefined);
    const dialed = this.reach.reach(peer, presence);
    try {
      await this.keys.review(peer, await devices);
    } catch (error) {
      const unknown = error instanceof ApiRequestError && error.status === 404;
      // A peer met before keeps its conversation when the server cannot answer
      // (down, or this user's lookups rate-limited): its pinned keys still
      // check every handshake, and what is written waits in the outbox.
      if (!unknown && (await this.keys.known(peer).catch(() => false))) {
        this.store.updateConversation(peer, { notice: { code: "lookup-unavailable" } });
      } else {
        const problem: ConversationProblem = unknown ? { code: "nickname-unknown" } : { code: "lookup-failed" };
        return this.store.updateConversation(peer, { problem });
      }
    }
    await Promise.all([dialed, history]);
    await this.contacts.note(peer);
  }

  /** Closes the open conversation (a phone's back button): its messages count as unread again. */
  closeConversation(): void {
    this.store.update({ conversation: null });
  }

  /**
   * Whether the open conversation is in front of the person: the page shows
   * it and is visible. While it is not, its live messages count as unread.
   */
  setConversationOnScreen(onScreen: boolean): void {
    this.onScreen = onScreen;
    const open = this.store.openPeer;
    if (onScreen && open) this.contacts.markRead(open);
  }

  /** Queues a message to the open conversation; what stopped it, or null. */
  async sendMessage(text: string): Promise<SendRefusal | null> {
    const conversation = this.store.getSnapshot().conversation;
    if (!conversation || conversation.problem) return { code: "no-conversation" };
    const rule = chatTextRule(text);
    if (rule) return { code: "text-invalid", rule };
    const { peer } = conversation;
    if (this.keys.blocksPeer(peer)) return { code: "key-changed" };
    if (this.trust.isBlocked(peer)) return { code: "blocked" };
    // Writing to someone makes them a contact (docs/protocol.md "Strangers").
    await this.acceptPeer(peer);
    const sent = this.delivery.send(peer, newId(), text);
    // A ready channel carried it already; otherwise find the peer.
    if (!this.reach.connected(peer)) void this.reach.reach(peer);
    try {
      await sent;
    } catch (error) {
      return { code: "storage", reason: error instanceof StoreError ? error.code : "aborted" };
    }
    void this.contacts.note(peer);
    return null;
  }

  async acceptKeyChange(peer: string, deviceId: string): Promise<void> {
    if (await this.keys.accept(peer, deviceId)) await this.reach.reach(peer);
  }

  /** "Accept" on a message request, or writing to someone: a contact from now on. */
  async acceptPeer(peer: string): Promise<void> {
    if (!(await this.trust.accept(peer))) return;
    this.store.updateConversation(peer, trustOf(this.trust, peer));
    void this.contacts.refresh();
  }

  /** "Block": their devices are cut off now and refused before any WebRTC work from now on. */
  async blockPeer(peer: string): Promise<void> {
    await this.trust.block(peer);
    for (const connection of this.connections.of(peer)) this.connections.closeDevice(connection.deviceId);
    this.reach.forget(peer);
    this.store.updateConversation(peer, trustOf(this.trust, peer));
    void this.contacts.refresh();
  }

  /** The person has seen that `peer` has this new device. */
  acknowledgeNewDevice(peer: string, deviceId: string): Promise<void> {
    return this.keys.acknowledge(peer, deviceId);
  }

  /** Frames other than chat and ack (the home relay's) go to these handlers. */
  addFrameHandler(handler: FrameHandler): () => void {
    this.frameHandlers.add(handler);
    return () => this.frameHandlers.delete(handler);
  }

  dismissNotice(): void {
    this.store.update({ notice: null });
  }

  /** Safety numbers of the connected devices of `peer`, from the keys their handshakes proved. */
  safetyNumbers(peer: string): { deviceId: string; number: SafetyNumber }[] {
    const local = { stableId: this.account, signPublicKey: this.device.identity.signPublicKey };
    return this.connections
      .of(peer)
      .filter((c) => c.channel.remoteSignKey)
      .map((c) => ({ deviceId: c.deviceId, number: safetyNumber(local, { stableId: peer, signPublicKey: c.channel.remoteSignKey! }) }));
  }

  stop(): void {
    this.unwatchNetwork();
    this.ice.stop();
    this.reach.stop();
    this.connections.close();
    this.signaling.close();
  }

  /** Opens the conversation view of `peer` (with `problem`, it cannot be used); its timeline starts empty. */
  private show(peer: string, problem: ConversationProblem | null): Timeline {
    const view = openingView(peer, problem, { account: this.account, connections: this.connections, keys: this.keys, trust: this.trust, live: this.live });
    this.store.update({ conversation: view });
    return view.timeline;
  }

  /** A stranger (not blocked) who wrote to this account this session. */
  private isRequest(peer: string): boolean {
    return this.heardFrom.has(peer) && !this.trust.isContact(peer) && !this.trust.isBlocked(peer);
  }

  private wire(): void {
    const { store, connections, signaling } = this;
    signaling.onState((state) => store.update({ signaling: state }));
    signaling.onSignal((signal) => {
      if (this.keys.blocksDevice(signal.from.nickname, signal.from.deviceId)) return;
      // Until the contact list is read, in arrival order; then at once. Blocked senders stop in handleSignal.
      void this.trust.loaded.then(() => connections.handleSignal(signal));
    });
    signaling.onNotice((raw) => {
      const ping = pingNoticeSchema.safeParse(raw);
      if (ping.success && ping.data.fromDevice !== this.deviceId) store.update({ notice: { code: "home-relay-received", count: ping.data.count } });
    });
    this.ice.changed.on((servers) => connections.updateIceServers(servers));
    this.keys.changed.on((peer) => store.updateConversation(peer, { keyWarnings: this.keys.keyWarnings(peer), newDevices: this.keys.newDevices(peer) }));
    this.keys.changed.on((peer) => {
      // A changed key cuts that device off now.
      for (const warning of this.keys.keyWarnings(peer)) connections.closeDevice(warning.deviceId);
    });
    connections.ready.on((connection) => {
      this.reach.ready(connection);
      void this.delivery.onReady(connection);
      store.updateConversation(connection.nickname, { notice: null });
    });
    connections.failed.on(({ connection, error }) => {
      const notice = connectionNotice(error.code);
      if (notice) store.updateConversation(connection.nickname, { notice });
    });
    connections.changed.on((connection) => store.updateConversation(connection.nickname, { connection: connections.summary(connection.nickname) }));
    connections.lost.on((connection) => {
      this.closedDrops.unreadable += connection.channel.drops.unreadable;
      this.closedDrops.staleChain += connection.channel.drops.staleChain;
      this.countDropped();
      void this.reach.lost(connection);
    });
    connections.frame.on(({ connection, frame }) => void this.routeFrame(connection, frame));
    this.delivery.updated.on((message) => {
      this.openTimeline(message.peer)?.upsert(message);
      this.contacts.noteMessage(message);
    });
    this.delivery.received.on(({ message }) => {
      this.heardFrom.add(message.peer);
      this.live.add(message);
      this.openTimeline(message.peer)?.upsert(message);
      this.contacts.noteMessage(message);
      if (!this.onScreen || store.openPeer !== message.peer) this.contacts.markUnread(message.peer);
      void this.contacts.note(message.peer);
    });
  }

  private openTimeline(peer: string): Timeline | null {
    const conversation = this.store.getSnapshot().conversation;
    return conversation?.peer === peer && !conversation.problem ? conversation.timeline : null;
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

  /** New network: links restart ICE, peers once unreachable are tried afresh. */
  private async onNetworkChange(): Promise<void> {
    this.connections.networkChanged();
    await this.reach.reachWaiting();
    const open = this.store.openPeer;
    if (open) this.store.updateConversation(open, { connection: this.connections.summary(open) });
  }

  /** Drops of this session's connections, closed ones included (a stale chain closes its channel at once). */
  private countDropped(): void {
    const live = this.connections.all();
    const droppedFrames = live.reduce((n, c) => n + c.channel.drops.unreadable, this.closedDrops.unreadable) + this.signaling.dropped();
    const staleChains = live.reduce((n, c) => n + c.channel.drops.staleChain, this.closedDrops.staleChain);
    this.store.update({ droppedFrames, staleChains });
  }
}
