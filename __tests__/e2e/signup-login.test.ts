import type { Browser, Page } from "playwright-core";
import { startApp, type RunningApp } from "./support/app";
import { launchChromium } from "./support/chromium";
import { expectText } from "./support/wait";

jest.setTimeout(120_000);

let app: RunningApp;
const browsers: Browser[] = [];

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await app?.stop();
});

async function newPage(): Promise<Page> {
  const browser = await launchChromium();
  browsers.push(browser);
  const page = await (await browser.newContext()).newPage();
  return page;
}

async function ownDevices(page: Page): Promise<{ id: string; signPublicKey: string }[]> {
  return page.evaluate(async () => ((await (await fetch("/api/devices")).json()) as { devices: { id: string; signPublicKey: string }[] }).devices);
}

describe("sign-up and login through the pages", () => {
  it("signs up, lands on /chat, and registers this browser as a device whose secret keys stay in IndexedDB", async () => {
    const page = await newPage();
    await page.goto(`${app.url}/signup`);
    await page.getByLabel("Nickname").fill("Alice");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${app.url}/chat`);
    await page.getByText("(keys ready)").waitFor();
    await page.getByText("Signed in as").waitFor();

    const devices = await ownDevices(page);
    expect(devices).toHaveLength(1);
    const stored = await page.evaluate(
      () =>
        new Promise<{ deviceId: string; identity: { signPublicKey: string; signSeed: string } }>((resolve, reject) => {
          const open = indexedDB.open("communisp");
          open.onsuccess = () => {
            const get = open.result.transaction("devices").objectStore("devices").get("alice");
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        }),
    );
    expect(stored.deviceId).toBe(devices[0]!.id);
    expect(stored.identity.signPublicKey).toBe(devices[0]!.signPublicKey);
    expect(stored.identity.signSeed).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The session is bound to that device.
    const session = await page.evaluate(async () => (await fetch("/api/auth/session")).json());
    expect(session.user).toEqual({ nickname: "alice", deviceId: devices[0]!.id });
    // Reloading keeps the same device.
    await page.reload();
    await page.getByText("(keys ready)").waitFor();
    expect(await ownDevices(page)).toHaveLength(1);

    // A second tab of the same browser does not fight over the device's keys.
    const second = await page.context().newPage();
    await second.goto(`${app.url}/chat`);
    await expectText(second.getByRole("alert"), "CommunisP is already open in another tab of this browser. Use that tab, or close it and reload this one.");
    expect(await second.getByRole("button", { name: "Connect" }).count()).toBe(0);
    await page.close();
    await second.reload();
    await second.getByText("(keys ready)").waitFor();
    expect(await ownDevices(second)).toHaveLength(1);
  });

  it("logs in from a second browser, which becomes a second device", async () => {
    const page = await newPage();
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Nickname").fill("alice");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${app.url}/chat`);
    await page.getByText("(keys ready)").waitFor();
    expect(await ownDevices(page)).toHaveLength(2);
  });

  it("shows errors next to the form in words, and the same words for a wrong password and an unknown nickname", async () => {
    const page = await newPage();
    await page.goto(`${app.url}/signup`);
    await page.getByLabel("Nickname").fill("alice");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    const formAlert = page.locator("form").getByRole("alert");
    await expectText(formAlert, "Password must be at least 10 characters.");
    await page.getByLabel("Password").fill("long enough password");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expectText(formAlert, 'The nickname "alice" is taken. Choose another.');

    await page.goto(`${app.url}/login`);
    await page.getByLabel("Nickname").fill("alice");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Log in" }).click();
    await expectText(formAlert, "Wrong nickname or password.");
    await page.getByLabel("Nickname").fill("nobody-here");
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/auth/callback/credentials")),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    await expectText(formAlert, "Wrong nickname or password.");
    expect(page.url()).toBe(`${app.url}/login`);
  });

  it("sends /chat to the login page without a session", async () => {
    const page = await newPage();
    await page.goto(`${app.url}/chat`);
    await page.waitForURL(`${app.url}/login`);
  });
});
