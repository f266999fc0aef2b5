import type { SignalPayload } from "./signal-payload";

/**
 * What to do with an incoming signal, given the connection we have with its
 * sender's device (if any). Every signal names the sender's link and, once
 * known, ours: leftovers of links that are gone on either side are ignored
 * instead of disturbing the live one, and an offer from a new remote link
 * (the peer reloaded) replaces the old connection.
 */
export type Route = "deliver" | "create" | "replace" | "ignore";

export function routeSignal(existing: { linkId: string; remoteLinkId: string | null } | undefined, type: "offer" | "answer" | "candidate" | "bye", payload: SignalPayload): Route {
  const fresh = type === "offer" && payload.peer === undefined;
  if (!existing) return fresh ? "create" : "ignore";
  if (payload.peer !== undefined && payload.peer !== existing.linkId) return "ignore"; // meant for a link of ours that is gone
  if (existing.remoteLinkId !== null && existing.remoteLinkId !== payload.link) return fresh ? "replace" : "ignore";
  if (existing.remoteLinkId === null && type === "bye") return "ignore"; // nothing of ours it could end
  return "deliver";
}
