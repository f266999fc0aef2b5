import { requireDevice } from "@/lib/auth/session";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";
import { subscribeRequestSchema, unsubscribeRequestSchema, type SubscriptionStatus } from "@/lib/push/schemas";
import { hasSubscription, removeSubscriptions, saveSubscription } from "@/lib/push/subscriptions";
import { vapidDetails } from "@/lib/push/vapid";

export const dynamic = "force-dynamic";

/** This device's push subscription: registered, or moved here from another of the account's devices. */
export const POST = route(async (req) => {
  const device = await requireDevice(req);
  const body = await parseJsonBody(req, subscribeRequestSchema);
  await saveSubscription(device, body);
  return json({ subscribed: true }, 201);
});

/** Whether this device gets pings, and the VAPID public key a browser subscribes with. */
export const GET = route(async (req) => {
  const device = await requireDevice(req);
  const status: SubscriptionStatus = { subscribed: await hasSubscription(device.deviceId), vapidPublicKey: vapidDetails().publicKey };
  return json(status);
});

const hasBody = (req: Request) => req.headers.has("content-type") || req.headers.has("transfer-encoding") || Number(req.headers.get("content-length") ?? "0") > 0;

/** `{endpoint}`: that subscription of this device; no body: all of this device's. 204 either way. */
export const DELETE = route(async (req) => {
  const device = await requireDevice(req);
  const endpoint = hasBody(req) ? (await parseJsonBody(req, unsubscribeRequestSchema)).endpoint : undefined;
  await removeSubscriptions(device.deviceId, endpoint);
  return new Response(null, { status: 204 });
});
