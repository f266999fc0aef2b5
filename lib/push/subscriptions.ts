import "server-only";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/http/api-error";
import { allowedEndpoint, parseAllowedHosts } from "./endpoint-policy";
import type { SubscribeRequest } from "./schemas";
import type { PushTarget } from "./sender";

// Push subscriptions belong to devices: revoking a device deletes them
// (lib/account-devices), and a ping only ever reads the caller's own account's.

export interface DeviceRef {
  userId: string;
  deviceId: string;
}

const endpointTaken = () =>
  new ApiError(409, "forbidden", "This browser's push subscription is registered to another account. Turn notifications off there first, or subscribe again to get a new one.");

/**
 * Stores the device's subscription. A browser has one per service worker
 * registration, so a new endpoint replaces the device's old one, and an
 * endpoint seen on another device of the same account moves here (the same
 * browser registered new device keys). Another account's live device keeps it.
 */
export async function saveSubscription(owner: DeviceRef, subscription: SubscribeRequest): Promise<void> {
  const { endpoint, keys } = subscription;
  if (!allowedEndpoint(endpoint, parseAllowedHosts(env().PUSH_ALLOWED_HOSTS))) {
    throw new ApiError(400, "invalid_input", "endpoint: must be an https URL of a known push service (PUSH_ALLOWED_HOSTS)");
  }
  await db().$transaction(async (tx) => {
    const existing = await tx.pushSubscription.findUnique({ where: { endpoint }, select: { device: { select: { userId: true, revokedAt: true } } } });
    if (existing && existing.device.userId !== owner.userId && existing.device.revokedAt === null) throw endpointTaken();
    await tx.pushSubscription.deleteMany({ where: { deviceId: owner.deviceId, NOT: { endpoint } } });
    await tx.pushSubscription.upsert({
      where: { endpoint },
      create: { deviceId: owner.deviceId, endpoint, p256dh: keys.p256dh, auth: keys.auth },
      update: { deviceId: owner.deviceId, p256dh: keys.p256dh, auth: keys.auth },
    });
  });
}

/** Deletes this device's subscription with that endpoint, or all of them; never another device's. */
export async function removeSubscriptions(deviceId: string, endpoint?: string): Promise<number> {
  const { count } = await db().pushSubscription.deleteMany({ where: { deviceId, ...(endpoint !== undefined ? { endpoint } : {}) } });
  return count;
}

export async function hasSubscription(deviceId: string): Promise<boolean> {
  return (await db().pushSubscription.count({ where: { deviceId } })) > 0;
}

export interface StoredTarget extends PushTarget {
  id: string;
}

/** Subscriptions of the account's other live devices: never the caller's own, never a revoked device's. */
export async function otherDeviceTargets(from: DeviceRef): Promise<StoredTarget[]> {
  return db().pushSubscription.findMany({
    where: { deviceId: { not: from.deviceId }, device: { userId: from.userId, revokedAt: null } },
    select: { id: true, endpoint: true, p256dh: true, auth: true },
  });
}

export async function deleteSubscriptionsById(ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await db().pushSubscription.deleteMany({ where: { id: { in: ids } } });
  return count;
}
