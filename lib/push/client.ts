import { ApiRequestError, fetchJson } from "@/lib/api-client/fetch-json";
import { decodeBase64Url } from "./keys";
import type { SubscribeRequest, SubscriptionStatus } from "./schemas";

// The page's side of "Ping on Received": the service worker (public/sw.js),
// this browser's push subscription, and the server's record of it. Browser
// only; every error thrown here carries a message meant for the person.

export const SERVICE_WORKER_URL = "/sw.js";
const SUBSCRIBE_API = "/api/push/subscribe";

export type PushSupport = "supported" | "unsupported" | "insecure" | "denied";

const UNSUPPORTED = "This browser cannot receive push notifications.";
const INSECURE = "Notifications need a secure (https) address, and this page is on plain http. Open CommunisP at its https:// address on this device.";
const BLOCKED = "Notifications are blocked for this site. Allow them in the browser's site settings, then try again.";
const NOT_ALLOWED = "Notifications were not allowed. Try again and choose Allow when the browser asks.";
const NO_PUSH_SERVICE =
  "This browser could not subscribe to push messages. Some browsers (private windows, headless or privacy-hardened ones) have no push service.";

export function pushSupport(): PushSupport {
  if (typeof window === "undefined") return "unsupported";
  if (!window.isSecureContext) return "insecure";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return "unsupported";
  return Notification.permission === "denied" ? "denied" : "supported";
}

/** Registers /sw.js for the whole origin; safe to call on every page load (the browser dedupes). */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) throw new Error(UNSUPPORTED);
  try {
    return await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: "/" });
  } catch (cause) {
    throw new Error("The notification helper (service worker) could not be installed. Reload the page and try again.", { cause });
  }
}

/** Whether this device gets pings, and the server's VAPID public key to subscribe with. */
export function pushStatus(): Promise<SubscriptionStatus> {
  return fetchJson<SubscriptionStatus>(SUBSCRIBE_API);
}

const sameKey = (a: ArrayBuffer | null, b: Uint8Array) => a !== null && a.byteLength === b.length && new Uint8Array(a).every((byte, i) => byte === b[i]);

async function freshSubscription(registration: ServiceWorkerRegistration, serverKey: Uint8Array<ArrayBuffer>): Promise<PushSubscription> {
  try {
    return await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey });
  } catch (cause) {
    throw new Error(NO_PUSH_SERVICE, { cause });
  }
}

/** The browser's subscription for this server's key: the existing one, or a new one if there is none or it was made for an older key. */
async function browserSubscription(registration: ServiceWorkerRegistration, serverKey: Uint8Array<ArrayBuffer>): Promise<PushSubscription> {
  const existing = await registration.pushManager.getSubscription();
  if (existing && sameKey(existing.options.applicationServerKey, serverKey)) return existing;
  await existing?.unsubscribe();
  return freshSubscription(registration, serverKey);
}

async function register(subscription: PushSubscription): Promise<void> {
  const { endpoint, keys } = subscription.toJSON();
  if (!endpoint || !keys?.p256dh || !keys.auth) throw new Error(NO_PUSH_SERVICE);
  const body: SubscribeRequest = { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
  await fetchJson(SUBSCRIBE_API, { method: "POST", json: body });
}

/** Asks for notification permission, subscribes this browser and tells the server. */
export async function subscribeThisDevice(vapidPublicKey: string): Promise<void> {
  const support = pushSupport();
  if (support === "unsupported") throw new Error(UNSUPPORTED);
  if (support === "insecure") throw new Error(INSECURE);
  if (support === "denied") throw new Error(BLOCKED);
  const decoded = decodeBase64Url(vapidPublicKey);
  if (!decoded || decoded.length !== 65) throw new Error("The server's push key is not valid. Ask its operator to check the VAPID settings.");
  const serverKey = new Uint8Array(decoded);

  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error(permission === "denied" ? BLOCKED : NOT_ALLOWED);

  await registerServiceWorker();
  const registration = await navigator.serviceWorker.ready;
  const subscription = await browserSubscription(registration, serverKey);
  try {
    await register(subscription);
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.status === 409)) throw error;
    // Another account registered this browser's subscription (someone else
    // used this browser before): a new subscription has a new endpoint.
    await subscription.unsubscribe();
    await register(await freshSubscription(registration, serverKey));
  }
}

/** Tells the server to forget this device's subscriptions, then drops the browser's. */
export async function unsubscribeThisDevice(): Promise<void> {
  await fetchJson<void>(SUBSCRIBE_API, { method: "DELETE" });
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager?.getSubscription();
  await subscription?.unsubscribe();
}

/** True only when all three hold: permission granted, a browser subscription, and the server's record for this device. */
export async function isThisDeviceSubscribed(): Promise<boolean> {
  if (pushSupport() !== "supported" || Notification.permission !== "granted") return false;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = await registration?.pushManager?.getSubscription();
  if (!subscription) return false;
  return (await pushStatus()).subscribed;
}
