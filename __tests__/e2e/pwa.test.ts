import { chromium } from "playwright-core";
import { makeTempDir } from "../support/temp-dir";
import { castOf } from "./support/cast";
import { CHROMIUM_ARGS, chromiumPath } from "./support/chromium";
import { signUp, waitForChatReady, type Person } from "./support/people";
import { eventually } from "./support/wait";

// Installable and usable offline, in Chromium: the manifest and service
// worker meet Chromium's own installability checks (as the browser's
// "Install app" offer uses them), and a page load with no network shows the
// offline shell instead of the browser's error page.

jest.setTimeout(120_000);

const cast = castOf();

async function signedUp(nickname: string): Promise<Person> {
  const person = await cast.signedUp(nickname);
  // Every page registers the worker; wait until it controls this one.
  await eventually(() => person.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), (url) => url !== null, "the service worker to control /chat", 30_000);
  return person;
}

it("is installable: Chromium finds no installability error in the manifest or the worker", async () => {
  // A profile on disk, as a person's browser has: Chromium never offers to
  // install from an incognito-like context (Playwright's default).
  const profile = makeTempDir("profile");
  const context = await chromium.launchPersistentContext(profile.dir, { executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  const gina = { nickname: "gina", context, page: context.pages()[0] ?? (await context.newPage()) };
  try {
    await signUp(gina, cast.app.url);
    await eventually(() => gina.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), (url) => url !== null, "the service worker to control /chat", 30_000);
    await expectInstallable(gina);
  } finally {
    await context.close();
    profile.remove();
  }
});

async function expectInstallable(gina: Pick<Person, "context" | "page">): Promise<void> {
  const cdp = await gina.context.newCDPSession(gina.page);
  const manifest = (await cdp.send("Page.getAppManifest")) as { url: string; errors: { message: string; critical: number }[] };
  expect(manifest.url).toBe(`${cast.app.url}/manifest.webmanifest`);
  expect(manifest.errors).toEqual([]);
  const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: { errorId: string }[] };
  expect(installabilityErrors).toEqual([]);
}

it("shows the offline shell for a page load without network, and the chat again once back", async () => {
  const hugo = await signedUp("hugo");
  await hugo.context.setOffline(true);
  await hugo.page.reload();
  await hugo.page.getByRole("heading", { name: "You are offline; messages will be sent when you are back" }).waitFor({ timeout: 15_000 });
  await hugo.context.setOffline(false);
  await hugo.page.getByRole("link", { name: "Try again" }).click();
  await hugo.page.waitForURL(`${cast.app.url}/chat`);
  await waitForChatReady(hugo.page);
});
