// How many connections this tab accepts, and from whom (docs/protocol.md
// "Strangers"). Any signed-in account can send this tab an offer, and each
// offer costs a peer connection; the home tab must stay reachable by anyone
// (it is a mailbox) without letting one account fill it. So: caps per
// sender account, tighter for strangers, and when the tab is full, the
// stranger link idle the longest makes room.

/** Connections per tab in all. */
export const MAX_LINKS = 64;
/** Connections to the devices of one contact account. */
export const MAX_LINKS_PER_ACCOUNT = 16;
/** Connections to the devices of one stranger account: 64 offers from one account fill a sixteenth of the tab. */
export const MAX_STRANGER_LINKS_PER_ACCOUNT = 4;
/** A stranger link that carried no frame this long is closed. */
export const STRANGER_IDLE_MS = 2 * 60_000;
/** A stranger may take the place only of a stranger link idle this long (contacts take any stranger's). */
export const STRANGER_EVICT_IDLE_MS = 30_000;

export interface LinkView {
  nickname: string;
  stranger: boolean;
  /** When it last carried a frame (or was opened). */
  lastActiveAt: number;
}

export type Admission<L extends LinkView> = { admit: true; evict?: L } | { admit: false; reason: "per-account" | "full" };

/** Whether a link to a device of `sender` may open next to `existing`, and which link must make room. */
export function admitLink<L extends LinkView>(existing: readonly L[], sender: { nickname: string; stranger: boolean }, now: number): Admission<L> {
  const sameAccount = existing.filter((l) => l.nickname === sender.nickname).length;
  if (sameAccount >= (sender.stranger ? MAX_STRANGER_LINKS_PER_ACCOUNT : MAX_LINKS_PER_ACCOUNT)) return { admit: false, reason: "per-account" };
  if (existing.length < MAX_LINKS) return { admit: true };
  const minIdle = sender.stranger ? STRANGER_EVICT_IDLE_MS : 0;
  let victim: L | undefined;
  for (const link of existing) {
    if (!link.stranger || now - link.lastActiveAt < minIdle) continue;
    if (!victim || link.lastActiveAt < victim.lastActiveAt) victim = link;
  }
  return victim ? { admit: true, evict: victim } : { admit: false, reason: "full" };
}

/** True when any of the page's ICE servers is a TURN server: then strangers can be kept to relayed routes. */
export function hasTurnServer(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/i.test(url)));
}
