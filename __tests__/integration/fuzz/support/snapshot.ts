import type { PrismaClient } from "@/lib/db/client";

// Everything a refused request must leave as it was: accounts, devices,
// sessions and push subscriptions, read in one statement. Left out on
// purpose: rate-limit buckets (counting attempts, refused ones included, is
// their job) and the "last seen" times an authenticated request refreshes.

const SNAPSHOT = `SELECT
  (SELECT json_group_array(json_array(id, nickname, passwordHash)) FROM (SELECT * FROM "User" ORDER BY id)) AS users,
  (SELECT json_group_array(json_array(id, userId, name, signPublicKey, dhPublicKey, home, createdAt, revokedAt)) FROM (SELECT * FROM "Device" ORDER BY id)) AS devices,
  (SELECT json_group_array(json_array(idHash, userId, deviceId, bindChallenge, bindChallengeAt, createdAt)) FROM (SELECT * FROM "Session" ORDER BY idHash)) AS sessions,
  (SELECT json_group_array(json_array(id, deviceId, endpoint, p256dh, auth)) FROM (SELECT * FROM "PushSubscription" ORDER BY id)) AS subscriptions`;

export async function snapshot(db: PrismaClient): Promise<string> {
  const [row] = await db.$queryRawUnsafe<Record<string, string>[]>(SNAPSHOT);
  return JSON.stringify(row);
}
