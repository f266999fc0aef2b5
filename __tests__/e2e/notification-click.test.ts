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
const browsers: { close: () => Promise<void> }[] = [];

// The app and the desktop's notification service are the file's; each test
// has its own browser and signs up its own person.
beforeAll(async () => {
  app = await startApp();
  desktop = await startDesktopNotifications();
});

afterEach(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => undefined)));
});

afterAll(async () => {
  await desktop?.stop();
  await app?.stop();
});

interface Pingable {
  context: BrowserContext;
  /** Closes every tab but one, and shows `path` in it. */
  showOnly(path: string): Promise<void>;
  /** The tabs showing /chat. */
  chatPages(): Page[];
  /** A ping pushed to the worker; resolves with the notification the desktop was asked to show. */
  ping(count: number): Promise<ShownNotification>;
}

/** A browser of the test's own, showing notifications through the desktop, signed up as `nickname`, its service worker in control. */
async function pingable(nickname: string): Promise<Pingable> {
  const browser = await launchWithNotifications(desktop, app.url);
  browsers.push(browser);
  const { context } = browser;
  const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp: CDPSession = await context.newCDPSession(page);
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  await signUp({ nickname, page }, app.url);
  await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), (yes) => yes, "the service worker to control the page", 30_000);
  return {
    context,
    async showOnly(path) {
      // The CDP session lives on the first tab: that one stays.
      const [, ...rest] = context.pages();
      for (const other of rest) await other.close();
      await page.goto(`${app.url}${path}`);
    },
    chatPages: () => context.pages().filter((p) => new URL(p.url()).pathname === "/chat"),
    async ping(count) {
      const scope = `${app.url}/`;
      const registrationId = registrations.filter((r) => r.scopeURL === scope && !r.isDeleted).at(-1)?.registrationId;
      if (!registrationId) throw new Error(`no service worker registration for ${scope}`);
      const before = desktop.shown().length;
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: app.url, registrationId, data: JSON.stringify({ type: "ping", count }) });
      return nextShown(desktop, before, "the desktop to be asked to show the ping");
    },
  };
}

const click = (notification: ShownNotification) => clickNotification(desktop, notification);

describe("clicking a ping's notification", () => {
  it("shows the ping through the desktop's notification service, without content", async () => {
    const iris = await pingable("shown-iris");
    const shown = await iris.ping(2);
    // Chromium puts the origin above the body; the rest is only the count.
    expect(shown.summary).toBe("CommunisP");
    expect(shown.body).toBe(`${new URL(app.url).host}\n\nYour home relay received 2 new messages.`);
    expect(shown.actions).toContain("default");
  });

  it("opens /chat when no tab shows the signed-in app", async () => {
    const iris = await pingable("none-iris");
    await iris.showOnly("/help/network");
    expect(iris.chatPages()).toHaveLength(0);
    const opened = iris.context.waitForEvent("page", { predicate: (p) => p.url().endsWith("/chat"), timeout: 30_000 });
    await click(await iris.ping(1));
    await opened;
    expect(iris.chatPages()).toHaveLength(1);
  });

  it("brings a /settings tab to /chat in the page, without a reload or another tab (the messenger runs in it)", async () => {
    const iris = await pingable("settings-iris");
    await iris.showOnly("/settings");
    const [page] = iris.context.pages();
    await page!.getByRole("checkbox", { name: "Use this device as my home relay" }).waitFor();
    await page!.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
    await click(await iris.ping(1));
    await page!.waitForURL((url) => url.pathname === "/chat");
    expect(iris.context.pages()).toHaveLength(1);
    expect(await page!.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it("brings the open /chat tab forward instead of opening another", async () => {
    const iris = await pingable("forward-iris");
    await iris.showOnly("/chat");
    const other = await iris.context.newPage();
    await other.goto(`${app.url}/settings`);
    await click(await iris.ping(3));
    expect(iris.context.pages().map((p) => new URL(p.url()).pathname).sort()).toEqual(["/chat", "/settings"]);
  });
});
