import "server-only";
import { triggerEvent } from "@/lib/signaling/rest";
import { NOTICE_EVENT, userChannel } from "@/lib/signaling/schemas";
import type { PingNotice, PingPayload, PingResult } from "./schemas";
import { sendPush, type PushMessageOptions } from "./sender";
import { deleteSubscriptionsById, otherDeviceTargets, type StoredTarget } from "./subscriptions";
import { vapidDetails } from "./vapid";

// "Ping on Received": the home relay tells the account's other devices that
// it holds N new messages. The push carries that count and nothing else: no
// sender, no text, no conversation. It goes through third-party push services
// (Google, Mozilla, Apple), which must learn nothing but "something arrived".

export const PING_MESSAGE: PushMessageOptions = {
  // A ping older than an hour is stale news; the device will sync when opened.
  ttlSec: 60 * 60,
  urgency: "normal",
  // A newer ping replaces a queued older one instead of stacking up.
  topic: "ping",
};

export interface PingSender {
  userId: string;
  nickname: string;
  deviceId: string;
}

export const pingPayload = (count: number): string => JSON.stringify({ type: "ping", count } satisfies PingPayload);

async function pushTo(targets: StoredTarget[], count: number): Promise<PingResult> {
  if (targets.length === 0) return { sent: 0, removed: 0 };
  const vapid = vapidDetails();
  const payload = pingPayload(count);
  // Each send settles on its own: one unreachable push service must not keep
  // the others' devices from hearing about it.
  const outcomes = await Promise.all(targets.map((target) => sendPush(target, payload, vapid, PING_MESSAGE)));
  // Dead subscriptions, and endpoints the server may not fetch (stored before the check existed), go.
  const gone = targets.filter((_, i) => outcomes[i] === "gone" || outcomes[i] === "refused").map((t) => t.id);
  return { sent: outcomes.filter((o) => o === "sent").length, removed: await deleteSubscriptionsById(gone) };
}

/** Open pages of the same account hear it live; best effort, the push is what matters for closed ones. */
async function publishNotice(from: PingSender, count: number): Promise<void> {
  const notice: PingNotice = { type: "ping", count, fromDevice: from.deviceId };
  try {
    await triggerEvent(userChannel(from.nickname), NOTICE_EVENT, notice);
  } catch {
    console.warn("[push] live ping notice not published: signaling unavailable");
  }
}

export async function pingOtherDevices(from: PingSender, count: number): Promise<PingResult> {
  const targets = await otherDeviceTargets(from);
  const [result] = await Promise.all([pushTo(targets, count), publishNotice(from, count)]);
  return result;
}
