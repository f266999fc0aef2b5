// Channel registry: which sockets are on which channel. A channel exists only
// while it has subscribers, so an emptied channel costs nothing.

import { PresenceRoster } from "./presence";

export type ChannelKind = "public" | "private" | "presence";

/** Characters Pusher allows in channel names. */
const CHANNEL_NAME = /^[A-Za-z0-9_\-=@,.;]+$/;

export function channelKind(name: string): ChannelKind {
  if (name.startsWith("presence-")) return "presence";
  // private-encrypted- channels are authorized exactly like private- ones; the
  // server never sees their plaintext.
  if (name.startsWith("private-")) return "private";
  return "public";
}

/** Why a channel name is unusable, or null when it is fine. */
export function channelNameProblem(name: unknown, maxLength: number): string | null {
  if (typeof name !== "string" || name.length === 0) return "Channel name must be a non-empty string";
  if (name.length > maxLength) return `Channel name is longer than ${maxLength} characters`;
  if (!CHANNEL_NAME.test(name)) return "Channel name contains characters outside [A-Za-z0-9_-=@,.;]";
  return null;
}

export interface ChannelState<S> {
  readonly subscribers: Set<S>;
  /** Present on presence- channels only. */
  readonly roster: PresenceRoster | null;
}

export class ChannelRegistry<S> {
  private readonly channels = new Map<string, ChannelState<S>>();

  get size(): number {
    return this.channels.size;
  }

  get(name: string): ChannelState<S> | undefined {
    return this.channels.get(name);
  }

  getOrCreate(name: string): ChannelState<S> {
    let state = this.channels.get(name);
    if (!state) {
      state = { subscribers: new Set(), roster: channelKind(name) === "presence" ? new PresenceRoster() : null };
      this.channels.set(name, state);
    }
    return state;
  }

  /** Removes a subscriber, dropping the channel once it is empty. */
  remove(name: string, subscriber: S): void {
    const state = this.channels.get(name);
    if (!state) return;
    state.subscribers.delete(subscriber);
    if (state.subscribers.size === 0) this.channels.delete(name);
  }

  entries(): IterableIterator<[string, ChannelState<S>]> {
    return this.channels.entries();
  }
}
