import "server-only";
import { db } from "@/lib/db/client";
import { ApiError, forbidden, notFound } from "@/lib/http/api-error";
import type { PublicDevice } from "./schemas";

export type { PublicDevice } from "./schemas";

/** Live devices one account may have: enough for every browser a person uses, few enough to keep an eye on. */
export const MAX_LIVE_DEVICES = 20;
/** Revoked rows kept per account (the most recent), so the table does not grow with every revocation. */
export const MAX_REVOKED_KEPT = 10;

export interface OwnDevice extends PublicDevice {
  createdAt: string;
  lastSeenAt: string;
}

const publicFields = { id: true, name: true, signPublicKey: true, dhPublicKey: true, home: true } as const;
const ownFields = { ...publicFields, createdAt: true, lastSeenAt: true } as const;

type OwnRow = PublicDevice & { createdAt: Date; lastSeenAt: Date };
const toOwn = (row: OwnRow): OwnDevice => ({ ...row, createdAt: row.createdAt.toISOString(), lastSeenAt: row.lastSeenAt.toISOString() });

const deviceLimit = () => new ApiError(409, "device_limit", `An account can have at most ${MAX_LIVE_DEVICES} devices. Revoke one you no longer use.`);

/**
 * Registers a device and binds the registering session to it. The cap is
 * checked after the insert, so two registrations racing past a count cannot
 * both slip in: whichever finds itself over the cap takes its row back out.
 */
export async function registerDevice(
  userId: string,
  sessionIdHash: string,
  input: { name: string; signPublicKey: string; dhPublicKey: string },
): Promise<{ id: string; name: string; createdAt: string }> {
  if ((await db().device.count({ where: { userId, revokedAt: null } })) >= MAX_LIVE_DEVICES) throw deviceLimit();
  const device = await db().device.create({ data: { userId, ...input }, select: { id: true, name: true, createdAt: true } });
  const live = await db().device.findMany({ where: { userId, revokedAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
  if (live.findIndex((d) => d.id === device.id) >= MAX_LIVE_DEVICES) {
    await db().device.delete({ where: { id: device.id } });
    throw deviceLimit();
  }
  await db().session.updateMany({ where: { idHash: sessionIdHash, deviceId: null }, data: { deviceId: device.id } });
  return { id: device.id, name: device.name, createdAt: device.createdAt.toISOString() };
}

export async function listOwnDevices(userId: string): Promise<OwnDevice[]> {
  const rows = await db().device.findMany({ where: { userId, revokedAt: null }, select: ownFields, orderBy: { createdAt: "asc" } });
  return rows.map(toOwn);
}

/** 404 when no live device has that id, 403 when it is someone else's. */
async function ownLiveDevice(userId: string, deviceId: string): Promise<void> {
  const device = await db().device.findUnique({ where: { id: deviceId }, select: { userId: true, revokedAt: true } });
  if (!device || device.revokedAt) throw notFound("That device");
  if (device.userId !== userId) throw forbidden("That device belongs to another account.");
}

export async function updateDevice(userId: string, deviceId: string, change: { name?: string; home?: boolean }): Promise<OwnDevice> {
  await ownLiveDevice(userId, deviceId);
  const row = await db().$transaction(async (tx) => {
    // At most one home device per account: taking the flag clears it elsewhere
    // in the same transaction.
    if (change.home === true) {
      await tx.device.updateMany({ where: { userId, home: true, NOT: { id: deviceId } }, data: { home: false } });
    }
    return tx.device.update({ where: { id: deviceId }, data: change, select: ownFields });
  });
  return toOwn(row);
}

/** Revokes a device: its push subscriptions and every session bound to it end with it. */
export async function revokeDevice(userId: string, deviceId: string): Promise<void> {
  await ownLiveDevice(userId, deviceId);
  await db().$transaction([
    db().pushSubscription.deleteMany({ where: { deviceId } }),
    db().session.deleteMany({ where: { deviceId } }),
    db().device.update({ where: { id: deviceId }, data: { revokedAt: new Date(), home: false } }),
  ]);
  const stale = await db().device.findMany({ where: { userId, revokedAt: { not: null } }, orderBy: { revokedAt: "desc" }, skip: MAX_REVOKED_KEPT, select: { id: true } });
  if (stale.length > 0) await db().device.deleteMany({ where: { id: { in: stale.map((d) => d.id) } } });
}

export async function publicDevicesOf(nickname: string): Promise<{ nickname: string; devices: PublicDevice[] } | null> {
  const user = await db().user.findUnique({
    where: { nickname },
    select: { nickname: true, devices: { where: { revokedAt: null }, select: publicFields, orderBy: { createdAt: "asc" } } },
  });
  return user;
}

/** The live device behind a session, or null when revoked or not this user's. */
export async function liveDevice(userId: string, deviceId: string): Promise<{ id: string; name: string; home: boolean; signPublicKey: string } | null> {
  const device = await db().device.findFirst({ where: { id: deviceId, userId, revokedAt: null }, select: { id: true, name: true, home: true, signPublicKey: true } });
  return device;
}

/** Recorded at most once a minute per device, so busy routes do not write on every call. */
export async function touchDevice(deviceId: string, now = new Date()): Promise<void> {
  await db().device.updateMany({ where: { id: deviceId, lastSeenAt: { lt: new Date(now.getTime() - 60_000) } }, data: { lastSeenAt: now } });
}
