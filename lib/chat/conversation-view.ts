import { loadHistoryPage } from "@/lib/store/history-store";
import type { ConversationProblem } from "./chat-codes";
import type { ConversationView } from "./chat-store";
import type { ReachState } from "./connections";
import type { LiveMessages } from "./live-messages";
import type { PeerKeys } from "./peer-keys";
import type { PeerTrust } from "./peer-trust";
import { Timeline } from "./timeline";

// What a conversation looks like the moment it opens: its connection state,
// key warnings, new devices and trust as this tab knows them, and a fresh
// timeline that pages the history in from IndexedDB (with what arrived live
// this session and is not stored, on a device that seals what it receives).

export interface ViewSources {
  account: string;
  connections: { summary(peer: string): ReachState };
  keys: Pick<PeerKeys, "keyWarnings" | "newDevices">;
  trust: Pick<PeerTrust, "isContact" | "isBlocked">;
  live: LiveMessages;
}

/** Whether `peer` is a stranger to this account, and whether it is blocked. */
export function trustOf(trust: ViewSources["trust"], peer: string): { stranger: boolean; blocked: boolean } {
  return { stranger: !trust.isContact(peer), blocked: trust.isBlocked(peer) };
}

/** The view of `peer`'s conversation as it opens; with a problem it cannot be used, and its timeline stays empty. */
export function openingView(peer: string, problem: ConversationProblem | null, from: ViewSources): ConversationView {
  const load = problem
    ? async () => []
    : async (before: Parameters<typeof loadHistoryPage>[2], limit: number) => from.live.mergeInto(peer, await loadHistoryPage(from.account, peer, before, limit), before, limit);
  return {
    peer,
    timeline: new Timeline(peer, load),
    connection: from.connections.summary(peer),
    keyWarnings: from.keys.keyWarnings(peer),
    newDevices: from.keys.newDevices(peer),
    problem,
    notice: null,
    ...trustOf(from.trust, peer),
  };
}
