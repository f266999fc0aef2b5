// Presence rosters. A member is a user_id, not a socket: the same user may be
// subscribed from several sockets (tabs), and member_added/member_removed
// fire only when the first socket joins and the last one leaves.

export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

export type ChannelDataResult = { ok: true; member: PresenceMember } | { ok: false; error: string };

/** Parses a presence subscription's channel_data: `{"user_id": ..., "user_info"?: ...}`. */
export function parseChannelData(raw: unknown, maxUserInfoBytes: number): ChannelDataResult {
  if (typeof raw !== "string") return { ok: false, error: "Presence channels need channel_data" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, error: "channel_data is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: "channel_data must be a JSON object" };
  }
  const record = parsed as Record<string, unknown>;
  const id = record.user_id;
  const userId = typeof id === "number" && Number.isFinite(id) ? String(id) : id;
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 128) {
    return { ok: false, error: "channel_data.user_id must be a non-empty string of at most 128 characters" };
  }
  const userInfo = record.user_info;
  if (userInfo !== undefined && Buffer.byteLength(JSON.stringify(userInfo) ?? "", "utf8") > maxUserInfoBytes) {
    return { ok: false, error: `user_info is larger than ${maxUserInfoBytes} bytes` };
  }
  return { ok: true, member: { userId, userInfo } };
}

interface RosterEntry {
  info: unknown;
  sockets: number;
}

export class PresenceRoster {
  private readonly members = new Map<string, RosterEntry>();

  get size(): number {
    return this.members.size;
  }

  has(userId: string): boolean {
    return this.members.has(userId);
  }

  /** Adds one socket of a user; true when the user is new to the channel. */
  add(member: PresenceMember): boolean {
    const entry = this.members.get(member.userId);
    if (entry) {
      entry.sockets += 1;
      return false;
    }
    this.members.set(member.userId, { info: member.userInfo, sockets: 1 });
    return true;
  }

  /** Removes one socket of a user; true when that was the user's last. */
  remove(userId: string): boolean {
    const entry = this.members.get(userId);
    if (!entry) return false;
    entry.sockets -= 1;
    if (entry.sockets > 0) return false;
    this.members.delete(userId);
    return true;
  }

  /** The `presence` object of pusher_internal:subscription_succeeded. */
  snapshot(): { ids: string[]; hash: Record<string, unknown>; count: number } {
    const ids: string[] = [];
    const hash: Record<string, unknown> = {};
    for (const [id, entry] of this.members) {
      ids.push(id);
      hash[id] = entry.info ?? null;
    }
    return { ids, hash, count: ids.length };
  }

  userIds(): string[] {
    return [...this.members.keys()];
  }
}
