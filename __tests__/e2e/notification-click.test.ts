import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { startApp, type RunningApp } from "./support/app";
import { clickNotification, launchWithNotifications, nextShown, startDesktopNotifications, type DesktopNotifications, type ShownNotification } from "./support/desktop-notifications";
import { signUp } from "./support/people";
import { eventually } from "./support/wait";

// A ping's notification, clicked the way a person clicks one: Chromium shows
// it through the desktop's notification service (a D-Bus server of the
// test's own, support/desktop-notifications.ts) and the click comes back as
// that service's ActionInvoked signal, so the service worker gets a real
// notificationclick. The push itself arrives through the DevTools protocol
// (ServiceWorker.deliverPushMessage), as a push service would deliver it.

jest.setTimeout(120_000);

let app: RunningApp;
let desktop: DesktopNotifications;
let context: BrowserContext;
let cdp: CDPSession;
let browser: { context: BrowserContext; close: () => Promise<void> };
const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];

beforeAll(async () => {
  app = await startApp();
  desktop = await startDesktopNotifications();
  browser = await launchWithNotifications(desktop, app.url);
  context = browser.context;
  const page = context.pages()[0] ?? (await context.newPage());
  cdp = await context.newCDPSession(page);
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  await signUp({ nickname: "iris", page }, app.url);
  await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), (yes) => yes, "the service worker to control the page", 30_000);
});

afterAll(async () => {
  await browser?.close();
  await desktop?.stop();
  await app?.stop();
});

/** Closes every tab but one, and shows `path` in it. */
async function showOnly(path: string): Promise<void> {
  const [first, ...rest] = context.pages();
  for (const page of rest) await page.close();
  await (first as Page).goto(`${app.url}${path}`);
}

const chatPages = () => context.pages().filter((p) => new URL(p.url()).pathname === "/chat");

/** A ping pushed to the worker; resolves with the notification the desktop was asked to show. */
async function ping(count: number): Promise<ShownNotification> {
  const scope = `${app.url}/`;
  const registrationId = registrations.filter((r) => r.scopeURL === scope && !r.isDeleted).at(-1)?.registrationId;
  if (!registrationId) throw new Error(`no service worker registration for ${scope}`);
  const before = desktop.shown().length;
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: app.url, registrationId, data: JSON.stringify({ type: "ping", count }) });
  return nextShown(desktop, before, "the desktop to be asked to show the ping");
}

const click = (notification: ShownNotification) => clickNotification(desktop, notification);

describe("clicking a ping's notification", () => {
  it("shows the ping through the desktop's notification service, without content", async () => {
    const shown = await ping(2);
    // Chromium puts the origin above the body; the rest is only the count.
    expect(shown.summary).toBe("CommunisP");
    expect(shown.body).toBe(`${new URL(app.url).host}\n\nYour home relay received 2 new messages.`);
    expect(shown.actions).toContain("default");
  });

  it("opens /chat when no tab shows the signed-in app", async () => {
    await showOnly("/help/network");
    expect(chatPages()).toHaveLength(0);
    const opened = context.waitForEvent("page", { predicate: (p) => p.url().endsWith("/chat"), timeout: 30_000 });
    await click(await ping(1));
    await opened;
    expect(chatPages()).toHaveLength(1);
  });

  it("brings a /settings tab to /chat in the page, without a reload or another tab (the messenger runs in it)", async () => {
    await showOnly("/settings");
    const [page] = context.pages();
    await page!.getByRole("checkbox", { name: "Use this device as my home relay" }).waitFor();
    await page!.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
    await click(await ping(1));
    await page!.waitForURL((url) => url.pathname === "/chat");
    expect(context.pages()).toHaveLength(1);
    expect(await page!.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it("brings the open /chat tab forward instead of opening another", async () => {
    await showOnly("/chat");
    const other = await context.newPage();
    await other.goto(`${app.url}/settings`);
    await click(await ping(3));
    expect(context.pages().map((p) => new URL(p.url()).pathname).sort()).toEqual(["/chat", "/settings"]);
  });
});
