import "server-only";
import { db } from "@/lib/db/client";
import { ApiError, forbidden, notFound } from "@/lib/http/api-error";
import type { PublicDevice } from "./schemas";

export type { PublicDevice } from "./schemas";

export const MAX_LIVE_DEVICES = 32;

export interface OwnDevice extends PublicDevice {
  createdAt: string;
  lastSeenAt: string;
}

const publicFields = { id: true, name: true, signPublicKey: true, dhPublicKey: true, home: true } as const;
const ownFields = { ...publicFields, createdAt: true, lastSeenAt: true } as const;

type OwnRow = PublicDevice & { createdAt: Date; lastSeenAt: Date };
const toOwn = (row: OwnRow): OwnDevice => ({ ...row, createdAt: row.createdAt.toISOString(), lastSeenAt: row.lastSeenAt.toISOString() });

export async function registerDevice(userId: string, input: { name: string; signPublicKey: string; dhPublicKey: string }): Promise<string> {
  const live = await db().device.count({ where: { userId, revokedAt: null } });
  if (live >= MAX_LIVE_DEVICES) {
    throw new ApiError(409, "device_limit", `An account can have at most ${MAX_LIVE_DEVICES} devices. Revoke one you no longer use.`);
  }
  const device = await db().device.create({ data: { userId, ...input }, select: { id: true } });
  return device.id;
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

export async function revokeDevice(userId: string, deviceId: string): Promise<void> {
  await ownLiveDevice(userId, deviceId);
  await db().$transaction([
    db().pushSubscription.deleteMany({ where: { deviceId } }),
    db().device.update({ where: { id: deviceId }, data: { revokedAt: new Date(), home: false } }),
  ]);
}

export async function publicDevicesOf(nickname: string): Promise<{ nickname: string; devices: PublicDevice[] } | null> {
  const user = await db().user.findUnique({
    where: { nickname },
    select: { nickname: true, devices: { where: { revokedAt: null }, select: publicFields, orderBy: { createdAt: "asc" } } },
  });
  return user;
}

/** The live device behind a session, or null when revoked or not this user's. */
export async function liveDevice(userId: string, deviceId: string): Promise<{ id: string; name: string; home: boolean } | null> {
  const device = await db().device.findFirst({ where: { id: deviceId, userId, revokedAt: null }, select: { id: true, name: true, home: true } });
  return device;
}

/** Recorded at most once a minute per device, so busy routes do not write on every call. */
export async function touchDevice(deviceId: string, now = new Date()): Promise<void> {
  await db().device.updateMany({ where: { id: deviceId, lastSeenAt: { lt: new Date(now.getTime() - 60_000) } }, data: { lastSeenAt: now } });
}
