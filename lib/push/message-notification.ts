// The page's own notification for a message that arrived while the page was
// hidden. Like a ping, it says nothing of the message: no text, no sender.
// Only the click's destination (the conversation to open, in `data`, which
// the desktop never shows) knows who wrote. Browser only.

export const MESSAGE_NOTIFICATION_TITLE = "New message";
export const MESSAGE_NOTIFICATION_TAG = "communisp-message";

/** Where clicking the notification for `peer`'s message leads (public/sw.js checks it again). */
export function conversationUrl(peer: string): string {
  return `/chat?with=${encodeURIComponent(peer)}`;
}

/**
 * Shows "New message" through the service worker's registration (the
 * `Notification` constructor is not allowed on Android, and a worker-shown
 * notification reaches the worker's notificationclick). False when this
 * browser may not show one: no permission asked for or granted, no worker.
 */
export async function showMessageNotification(peer: string): Promise<boolean> {
  if (typeof Notification === "undefined" || Notification.permission !== "granted" || !("serviceWorker" in navigator)) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return false;
  // One tag: a new message replaces the last notification instead of piling up.
  // (renotify: a replacement still alerts; TypeScript's DOM types lack it.)
  const options: NotificationOptions & { renotify: boolean } = { tag: MESSAGE_NOTIFICATION_TAG, renotify: true, icon: "/icon.svg", data: { url: conversationUrl(peer) } };
  await registration.showNotification(MESSAGE_NOTIFICATION_TITLE, options);
  return true;
}
