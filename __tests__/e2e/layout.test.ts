import type { Page } from "playwright-core";
import { castOf } from "./support/cast";
import { register } from "./support/http-login";
import { connectTo, messages, openChat, openContact, openSettings, PASSWORD, send, showList, signUp, unreadCount, waitForConnection, type Person } from "./support/people";
import { becomeHomeRelay, enableLogs, expectLogCount } from "./support/relay";
import { screenshot, SIZES, type SizeName } from "./support/screenshots";
import { eventually } from "./support/wait";

// The layout at a phone's size (375 × 740) and a desktop's (1280 × 800):
// on a phone /chat is the conversation list, and an open conversation fills
// the screen with Back, its header, the Messages log and the composer at the
// bottom; on a desktop the two stand side by side. /settings is reached by
// its link and back, and the messenger and home relay keep running across
// the trip (one layout mounts them: app/(signed-in)/layout.tsx). Screenshots
// of every page at both sizes go to test-results/screenshots/.

jest.setTimeout(180_000);

const cast = castOf();

async function person(nickname: string, size: SizeName): Promise<Person> {
  const p = await cast.launch(nickname, { viewport: SIZES[size], isMobile: size === "phone" });
  // Counts the peer connections this page makes, and marks the page: a reload would clear both.
  await p.context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    let made = 0;
    window.RTCPeerConnection = new Proxy(Original, {
      construct(target, args, newTarget) {
        made++;
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
    Object.defineProperty(window, "peerConnectionsMade", { get: () => made });
  });
  return p;
}

const peerConnectionsMade = (p: Person) => p.page.evaluate(() => (window as unknown as { peerConnectionsMade: number }).peerConnectionsMade);
const box = async (page: Page, locator: ReturnType<Page["locator"]>) => {
  const b = await locator.boundingBox();
  if (!b) throw new Error("element has no box (not shown)");
  return b;
};
const row = (p: Person, nickname: string) => p.page.getByRole("navigation", { name: "Recent contacts" }).locator("li", { has: p.page.getByRole("button", { name: nickname, exact: true }) });

describe.each(["phone", "desktop"] as const)("the layout on a %s", (size) => {
  it("walks through every page: signed out, the list, a conversation, unread counts, settings", async () => {
    const ann = await person(`ann-${size}`, size);
    const ben = await person(`ben-${size}`, size);
    const cal = `cal-${size}`;
    await register(cast.app.url, cal, PASSWORD);
    const { page } = ann;

    for (const [path, name] of [["/", "home"], ["/signup", "signup"], ["/login", "login"], ["/help/network", "help-network"]] as const) {
      await page.goto(`${cast.app.url}${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SIZES[size].width);
      await screenshot(page, size, name);
    }

    await Promise.all([signUp(ann, cast.app.url), signUp(ben, cast.app.url)]);
    await page.getByRole("link", { name: "Settings" }).waitFor();
    await screenshot(page, size, "chat-empty");
    await connectTo(ann, ben.nickname);
    await connectTo(ben, ann.nickname);
    await Promise.all([waitForConnection(ann, "direct"), waitForConnection(ben, "direct")]);

    const conversation = page.getByRole("region", { name: `Conversation with ${ben.nickname}` });
    const composer = conversation.getByRole("button", { name: "Send" });
    const log = conversation.getByRole("log", { name: "Messages" });
    const back = conversation.getByRole("button", { name: "Back to conversations" });
    const nicknameField = page.getByLabel("Nickname to contact");
    if (size === "phone") {
      // The conversation takes the screen: the list is gone, Back is there, the composer sits at the bottom.
      expect(await nicknameField.isVisible()).toBe(false);
      expect(await back.isVisible()).toBe(true);
      const [area, logBox, sendBox] = [await box(page, conversation), await box(page, log), await box(page, composer)];
      expect(area.width).toBeGreaterThanOrEqual(SIZES.phone.width - 1);
      expect(sendBox.y + sendBox.height).toBeLessThanOrEqual(SIZES.phone.height);
      expect(sendBox.y + sendBox.height).toBeGreaterThan(SIZES.phone.height - 120);
      expect(logBox.y + logBox.height).toBeLessThanOrEqual(sendBox.y);
      expect(logBox.height).toBeGreaterThan(SIZES.phone.height / 2);
    } else {
      // Side by side: the list on the left, the conversation on the right, no Back.
      expect(await back.isVisible()).toBe(false);
      const [list, area] = [await box(page, nicknameField), await box(page, conversation)];
      expect(list.x + list.width).toBeLessThanOrEqual(area.x);
      expect(area.width).toBeGreaterThan(SIZES.desktop.width / 2);
    }

    await send(ann, "Hi ben, this is the new layout");
    await send(ben, "Looks good from here");
    await eventually(() => messages(ann), (m) => m.map((x) => x.text).join("|") === "Hi ben, this is the new layout|Looks good from here", "both messages in ann's conversation");
    await screenshot(page, size, "conversation");
    await page.emulateMedia({ colorScheme: "dark" });
    await screenshot(page, size, "conversation-dark");
    await page.emulateMedia({ colorScheme: "light" });

    // A conversation not on screen counts what arrives: on a phone, the list; on a desktop, another conversation open.
    if (size === "phone") await showList(ann);
    else await connectTo(ann, cal);
    await send(ben, "First while you look elsewhere");
    await send(ben, "Second while you look elsewhere");
    await eventually(() => unreadCount(ann, ben.nickname), (n) => n === 2, "two unread from ben");
    const description = await row(ann, ben.nickname).locator(".sr-only").textContent();
    expect(description).toMatch(/^2 unread, Second while you look elsewhere, \S.*$/);
    await screenshot(page, size, "chat-list");
    await openContact(ann, ben.nickname);
    expect(await unreadCount(ann, ben.nickname)).toBe(0);
    await eventually(() => messages(ann), (m) => m.at(-1)?.text === "Second while you look elsewhere", "the unread messages in the conversation");

    await openSettings(ann);
    await page.getByRole("heading", { name: "This device" }).waitFor();
    expect(await page.getByLabel("Signing key fingerprint").textContent()).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    for (const name of ["Use this device as my home relay", "Enable Local Message Logs", "Ping on Received", "Get pings on this device"]) {
      await page.getByRole("checkbox", { name }).waitFor();
    }
    for (const name of ["Devices", "Change password", "Logs from your home relay"]) expect(await page.getByText(name, { exact: true }).count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Log out" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SIZES[size].width);
    await screenshot(page, size, "settings");
    // Back to the chat: a phone went to /settings from the list (Back first) and comes back to it; a desktop finds the conversation still open.
    await openChat(ann);
    await (size === "phone" ? nicknameField : conversation).waitFor();
  });
});

describe("moving between /chat and /settings", () => {
  it("keeps a connected conversation without reconnecting, and a home relay receiving while on /settings", async () => {
    // A desktop's size: the conversation stays open beside the list while its person visits /settings.
    const dot = await person("dot", "desktop");
    const eli = await person("eli", "desktop");
    await Promise.all([signUp(dot, cast.app.url), signUp(eli, cast.app.url)]);
    await connectTo(dot, "eli");
    await connectTo(eli, "dot");
    await Promise.all([waitForConnection(dot, "direct"), waitForConnection(eli, "direct")]);
    await send(eli, "before the trip");
    await eventually(() => messages(dot), (m) => m.some((x) => x.text === "before the trip"), "the first message");
    const made = { dot: await peerConnectionsMade(dot), eli: await peerConnectionsMade(eli) };
    expect(made.dot).toBeGreaterThan(0);

    // dot's tab becomes the home relay with logs, from /settings, and stays there while eli writes.
    await becomeHomeRelay(dot);
    await enableLogs(dot, "a long log passphrase nobody guesses");
    await send(eli, "while dot reads the settings");
    await expectLogCount(dot, 1);
    expect(new URL(dot.page.url()).pathname).toBe("/settings");

    // Back in the chat: the same connection (no new peer connection on either side, no reload), the message there.
    await openChat(dot);
    await waitForConnection(dot, "direct");
    await eventually(() => messages(dot), (m) => m.some((x) => x.text === "while dot reads the settings"), "the message received on /settings");
    await send(dot, "back from the settings");
    await eventually(() => messages(eli), (m) => m.some((x) => x.text === "back from the settings" && x.direction === "in"), "eli to receive the reply");
    expect({ dot: await peerConnectionsMade(dot), eli: await peerConnectionsMade(eli) }).toEqual(made);
  });
});
