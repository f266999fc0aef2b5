import type { BrowserContext, Page } from "playwright-core";
import { startApp, type RunningApp } from "./support/app";
import { clickNotification, launchWithNotifications, nextShown, startDesktopNotifications, type DesktopNotifications, type ShownNotification } from "./support/desktop-notifications";
import { register } from "./support/http-login";
import { closePeople, connectTo, launchPerson, messages, openSettings, PASSWORD, send, showList, signUp, unreadCount, waitForChatReady, waitForConnection, type OnPage, type Person } from "./support/people";
import { eventually, expectText, holdsFor } from "./support/wait";

// A message that arrives while the page is hidden: the row's unread count
// goes up and the desktop shows "New message", with nothing of the message
// in it; clicking it opens that conversation. Chromium shows the notification
// through the test's own desktop notification service (D-Bus,
// support/desktop-notifications.ts), and the click is the service's
// ActionInvoked signal, so the service worker gets a real notificationclick.
//
// Headless Chromium keeps every page "visible": another tab in front, a
// minimised window, a background target (Target.createTarget) all leave
// document.visibilityState at "visible". So the test tells the page it is
// hidden the one way left, by overriding what the page reads
// (document.visibilityState and .hidden) and firing visibilitychange;
// everything after that (the messenger's unread count, the service worker's
// notification, the desktop, the click) is the real thing.

jest.setTimeout(180_000);

let app: RunningApp;
let desktop: DesktopNotifications;
const browsers: { close: () => Promise<void> }[] = [];
const people: Person[] = [];
const SECRET = "meet me at the old mill at 9";

// The app and the desktop's notification service are the file's; the people
// are each test's own.
beforeAll(async () => {
  app = await startApp();
  desktop = await startDesktopNotifications();
});

afterEach(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => undefined)));
  await closePeople(people.splice(0));
});

afterAll(async () => {
  await desktop?.stop();
  await app?.stop();
});

interface Pair {
  /** Iris's browser: a phone's screen, showing notifications through the test's desktop. */
  context: BrowserContext;
  iris: OnPage;
  bob: Person;
}

/**
 * Iris (on a phone's screen, so opening the right conversation shows) and bob,
 * new people of the test's own named after `tag`, signed up, the service
 * worker controlling iris's page, and a direct connection each way.
 */
async function pair(tag: string): Promise<Pair> {
  const browser = await launchWithNotifications(desktop, app.url, { width: 375, height: 740 });
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const iris: OnPage = { nickname: `${tag}-iris`, page };
  const bob = await launchPerson(`${tag}-bob`);
  people.push(bob);
  await Promise.all([signUp(iris, app.url), signUp(bob, app.url)]);
  await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), (yes) => yes, "the service worker to control the page", 30_000);
  await connectTo(iris, bob.nickname);
  await connectTo(bob, iris.nickname);
  await Promise.all([waitForConnection(iris, "direct"), waitForConnection(bob, "direct")]);
  return { context: browser.context, iris, bob };
}

/** What the page reads of its visibility (see the note above). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

const nextNotification = (before: number) => nextShown(desktop, before);
const click = (notification: ShownNotification) => clickNotification(desktop, notification);


describe("a message while the page is hidden", () => {
  it("raises the unread count, shows a New message notification without content, and a click opens the conversation", async () => {
    const { context, iris, bob } = await pair("hidden");
    const page = iris.page;
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));

    // Visible, on screen: read as it comes, no notification.
    const quietBefore = desktop.shown().length;
    await send(bob, "hello while you look");
    await eventually(() => messages(iris), (m) => m.some((x) => x.text === "hello while you look"), "iris to receive the first message");
    expect(await unreadCount(iris, bob.nickname)).toBe(0);

    // Back to the list (a phone's screen holds one or the other), then hidden: counted unread, and the desktop shows a notification that says nothing of the message.
    await showList(iris);
    await setHidden(page, true);
    await send(bob, SECRET);
    const shown = await nextNotification(quietBefore);
    expect(desktop.shown().slice(quietBefore)).toHaveLength(1);
    expect(shown.summary).toBe("New message");
    // Chromium puts the origin in the body; nothing else is there: no sender, no text.
    expect(shown.body).toBe(new URL(app.url).host);
    expect(`${shown.summary} ${shown.body}`).not.toMatch(/bob|mill/i);
    await eventually(() => unreadCount(iris, bob.nickname), (n) => n === 1, "bob's row to count one unread message");

    // The person moves to /settings meanwhile; the click brings this tab back to /chat with bob's conversation open, without a reload.
    await setHidden(page, false);
    await openSettings(iris);
    await click(shown);
    await page.waitForURL((url) => url.pathname === "/chat" && url.search === "");
    await page.getByRole("region", { name: `Conversation with ${bob.nickname}` }).waitFor();
    expect(context.pages()).toHaveLength(1);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    await eventually(() => messages(iris), (m) => m.some((x) => x.text === SECRET), "the message in the conversation the click opened");
    await eventually(() => unreadCount(iris, bob.nickname), (n) => n === 0, "bob's row to be read once on screen");
  });

  it("opens a tab on the conversation when none is open", async () => {
    const { context, iris, bob } = await pair("tab");
    const page = iris.page;
    await page.getByRole("region", { name: `Conversation with ${bob.nickname}` }).waitFor();
    await setHidden(page, true);
    const before = desktop.shown().length;
    await send(bob, "are you there?");
    const shown = await nextNotification(before);
    expect(shown.summary).toBe("New message");
    // No tab of the app left: the click must open one (a blank tab keeps the browser open).
    const blank = await context.newPage();
    await page.close();
    const opened = context.waitForEvent("page", { predicate: (p) => new URL(p.url()).pathname === "/chat", timeout: 30_000 });
    await click(shown);
    const tab = await opened;
    await tab.getByRole("region", { name: `Conversation with ${bob.nickname}` }).waitFor({ timeout: 30_000 });
    await expectText(tab.getByRole("region", { name: `Conversation with ${bob.nickname}` }).getByRole("heading", { name: bob.nickname }), bob.nickname);
    await blank.close();
  });

  it("opens no conversation, and asks nothing about the peer, for a link naming someone not in the list", async () => {
    // A link anyone can send: opening a conversation looks the peer up and dials them, which would show a stranger this browser's address.
    const { iris, bob } = await pair("link");
    await register(app.url, "link-mallory", PASSWORD);
    const tab = iris.page;
    const aboutMallory: string[] = [];
    tab.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/users/link-mallory") || (url.pathname === "/api/signal" && (request.postData() ?? "").includes('"link-mallory"'))) aboutMallory.push(`${request.method()} ${url.pathname}`);
    });
    await tab.goto(`${app.url}/chat?with=link-mallory`);
    await tab.waitForURL((url) => url.pathname === "/chat" && url.search === "");
    await waitForChatReady(tab);
    await holdsFor(2_000, async () => aboutMallory.length, (n) => n === 0, "no request about mallory");
    expect(await tab.getByRole("region", { name: "Conversation with link-mallory" }).count()).toBe(0);
    expect(await unreadCount(iris, "link-mallory")).toBeNull();
    // The same link for someone in the list does open the conversation.
    await tab.goto(`${app.url}/chat?with=${bob.nickname}`);
    await tab.getByRole("region", { name: `Conversation with ${bob.nickname}` }).waitFor({ timeout: 30_000 });
  });
});
