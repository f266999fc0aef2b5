import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";

// Server-side session records. The cookie stays next-auth's encrypted JWT,
// but it now carries a random session id, and a session exists only while its
// row does: signing out, revoking the session's device and changing the
// password delete rows, and every authenticated route looks the row up. Only
// a hash of the id is stored, so the table is not a list of usable ids.

/** Idle lifetime: a session unused for this long ends (each use extends it). */
export const SESSION_MAX_AGE_SEC = 30 * 24 * 60 * 60;
/** Sessions one account may have; signing in past it ends the least recently used. */
export const MAX_SESSIONS_PER_USER = 50;
/** Writing lastSeenAt on every request would make every read a write. */
const TOUCH_EVERY_MS = 60_000;

export interface LiveSession {
  idHash: string;
  userId: string;
  nickname: string;
  deviceId: string | null;
}

export const hashSessionId = (id: string) => createHash("sha256").update(id, "utf8").digest("base64url");

const expiry = (now: Date) => new Date(now.getTime() + SESSION_MAX_AGE_SEC * 1000);

/** Starts a session; returns the id to put in the cookie (never stored as is). */
export async function createSession(userId: string, now = new Date()): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await db().session.create({ data: { idHash: hashSessionId(id), userId, createdAt: now, lastSeenAt: now, expiresAt: expiry(now) } });
  await db().session.deleteMany({ where: { userId, expiresAt: { lt: now } } });
  const surplus = await db().session.findMany({ where: { userId }, orderBy: { lastSeenAt: "desc" }, skip: MAX_SESSIONS_PER_USER, select: { idHash: true } });
  if (surplus.length > 0) await db().session.deleteMany({ where: { idHash: { in: surplus.map((s) => s.idHash) } } });
  return id;
}

/** The live session with this id for this user, or null (ended, expired, or someone else's). */
export async function findLiveSession(id: string, userId: string, now = new Date()): Promise<LiveSession | null> {
  const idHash = hashSessionId(id);
  const row = await db().session.findUnique({
    where: { idHash },
    select: { userId: true, deviceId: true, lastSeenAt: true, expiresAt: true, user: { select: { nickname: true } } },
  });
  if (!row || row.userId !== userId || row.expiresAt <= now) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db().session.updateMany({ where: { idHash }, data: { lastSeenAt: now, expiresAt: expiry(now) } });
  }
  return { idHash, userId: row.userId, nickname: row.user.nickname, deviceId: row.deviceId };
}

export async function endSession(id: string): Promise<void> {
  await db().session.deleteMany({ where: { idHash: hashSessionId(id) } });
}

/**
 * Ends every session of `userId` but the one given (a password change keeps
 * the browser that made it). Returns how many ended and the devices they were
 * bound to.
 */
export async function endOtherSessions(userId: string, keepIdHash: string): Promise<{ count: number; deviceIds: string[] }> {
  const others = await db().session.findMany({ where: { userId, NOT: { idHash: keepIdHash } }, select: { idHash: true, deviceId: true } });
  const { count } = await db().session.deleteMany({ where: { idHash: { in: others.map((s) => s.idHash) } } });
  return { count, deviceIds: [...new Set(others.map((s) => s.deviceId).filter((d): d is string => d !== null))] };
}
