// CommunisP's service worker: shows "Ping on Received" notifications, opens
// the chat when one is clicked (or the conversation a page's own content-free
// "New message" notification names, app/_components/signed-in), and answers a page load that finds no network
// with the offline shell. It caches nothing but that shell (static, the same
// for everybody): never a page, an API answer or anything with content.
// A push only ever says how many messages the home relay holds, and this file
// never shows anything from the payload but that number, so even a forged or
// garbled push cannot put text on the screen.

const TITLE = "CommunisP";
const TAG = "communisp-ping";
const CHAT_PATH = "/chat";
const MAX_COUNT = 100000;
const SHELL_CACHE = "communisp-shell-v1";
const OFFLINE_PAGE = "/offline.html";
const SHELL = [OFFLINE_PAGE, "/offline.css", "/icon.svg"];

/** The count from a {"type":"ping","count":N} payload, or 0 for anything else. */
function pingCount(data) {
  let payload;
  try {
    payload = data ? data.json() : null;
  } catch {
    return 0;
  }
  if (!payload || typeof payload !== "object" || payload.type !== "ping") return 0;
  const count = payload.count;
  return Number.isInteger(count) && count >= 1 && count <= MAX_COUNT ? count : 0;
}

function bodyFor(count) {
  if (count === 1) return "Your home relay received 1 new message.";
  if (count > 1) return `Your home relay received ${count} new messages.`;
  return "Your home relay received new messages.";
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL_CACHE) await caches.delete(name);
      // Page loads need not wait for this worker to start before going to the network.
      if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
      await self.clients.claim();
    })(),
  );
});

async function navigate(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) return preloaded;
    return await fetch(event.request);
  } catch {
    // No network (not an HTTP error: those reach the page as they are).
    return (await caches.match(OFFLINE_PAGE)) ?? Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  // Only page loads; everything else goes to the network untouched.
  if (event.request.mode === "navigate") event.respondWith(navigate(event));
});

self.addEventListener("push", (event) => {
  // Every push must show a notification (userVisibleOnly); one tag, so a new
  // ping replaces the last one instead of piling up.
  event.waitUntil(
    self.registration.showNotification(TITLE, {
      body: bodyFor(pingCount(event.data)),
      tag: TAG,
      renotify: true,
      icon: "/icon.svg",
      data: { url: CHAT_PATH },
    }),
  );
});

// The app's signed-in pages share one running messenger (app/(signed-in)):
// a tab on either is brought forward and told where to go, in the page (a
// reload would drop its peers), instead of opening a second tab that would
// find the messenger already running in this one.
const APP_PATHS = [CHAT_PATH, "/settings"];
const NICKNAME = /^[a-z0-9_-]{3,24}$/;

/** Where a click leads: /chat, or /chat with one conversation open (`data.url` is checked, never trusted). */
function targetOf(notification) {
  const raw = notification && notification.data && notification.data.url;
  if (typeof raw !== "string") return CHAT_PATH;
  let url;
  try {
    url = new URL(raw, self.location.origin);
  } catch {
    return CHAT_PATH;
  }
  const peer = url.searchParams.get("with");
  const clean = url.origin === self.location.origin && url.pathname === CHAT_PATH && [...url.searchParams.keys()].every((k) => k === "with");
  return clean && peer !== null && NICKNAME.test(peer) ? `${CHAT_PATH}?with=${peer}` : CHAT_PATH;
}

async function focusOrOpen(target) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const onPath = (path) => windows.find((client) => new URL(client.url).pathname === path);
  const open = APP_PATHS.map(onPath).find(Boolean);
  if (!open) return self.clients.openWindow(target);
  const focused = await open.focus();
  if (typeof open.postMessage === "function") open.postMessage({ type: "open", url: target });
  return focused;
}

self.addEventListener("notificationclick", (event) => {
  // The window first (focus() and openWindow() need this click's permission),
  // then the notification goes: its closing marks the click as handled.
  event.waitUntil(focusOrOpen(targetOf(event.notification)).finally(() => event.notification.close()));
});
