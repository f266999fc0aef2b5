import type { SignalingState } from "@/lib/signaling/client";
import type { AccountNotice, ConversationNotice, ConversationProblem } from "./chat-codes";
import type { ReachState } from "./connections";
import type { KeyWarning, NewDevice } from "./peer-keys";
import type { ContactView } from "./recent-contacts";
import type { Timeline } from "./timeline";

// The state a person sees, as one immutable snapshot per tab, replaced on
// every change and read with useSyncExternalStore. A part that did not
// change keeps its identity, so a component re-renders only when its own
// part does. The messages themselves are not in it: the open conversation's
// timeline is a store of its own (a message wakes one row, not the page).

export interface ConversationView {
  peer: string;
  /** The same object for as long as this conversation stays open. */
  timeline: Timeline;
  connection: ReachState;
  keyWarnings: KeyWarning[];
  /** Devices the peer added since this browser first knew them, not yet acknowledged (they still get messages). */
  newDevices: NewDevice[];
  /** Why the conversation cannot be used (unknown nickname...). */
  problem: ConversationProblem | null;
  /** Something about a connection that does not stop the conversation. */
  notice: ConversationNotice | null;
  /** Neither messaged nor accepted by this account: its messages are a message request. */
  stranger: boolean;
  blocked: boolean;
}

export interface ChatSnapshot {
  signaling: SignalingState;
  contacts: ContactView[];
  conversation: ConversationView | null;
  droppedFrames: number;
  /** Messages refused because they came on a peer chain older than the 60 s rotation allows. */
  staleChains: number;
  notice: AccountNotice | null;
}

export const EMPTY_SNAPSHOT: ChatSnapshot = { signaling: "connecting", contacts: [], conversation: null, droppedFrames: 0, staleChains: 0, notice: null };

export class ChatStore {
  private snapshot: ChatSnapshot = EMPTY_SNAPSHOT;
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => this.snapshot;

  /** The open conversation's peer, if any. */
  get openPeer(): string | null {
    return this.snapshot.conversation?.peer ?? null;
  }

  /** Replaces the parts given; publishes only when one of them is a different value. */
  update(change: Partial<ChatSnapshot>): void {
    const keys = Object.keys(change) as (keyof ChatSnapshot)[];
    if (keys.every((k) => Object.is(change[k], this.snapshot[k]))) return;
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }

  /** Changes the open conversation, only if it is `peer`'s; unchanged fields keep the view as it is. */
  updateConversation(peer: string, change: Partial<Omit<ConversationView, "peer" | "timeline">>): void {
    const conversation = this.snapshot.conversation;
    if (conversation?.peer !== peer) return;
    const keys = Object.keys(change) as (keyof typeof change)[];
    if (keys.every((k) => Object.is(change[k], conversation[k]))) return;
    this.update({ conversation: { ...conversation, ...change } });
  }
}
