import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./chromium";
import { expectText } from "./wait";

// A person is a separate Chromium process with its own profile, as two people
// on two machines would be.

export interface Person {
  nickname: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

export const PASSWORD = "correct horse battery staple";

export async function launchPerson(nickname: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<Person> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1200, height: 900 } });
  const page = await context.newPage();
  return { nickname, browser, context, page };
}

export async function signUp(person: Person, baseUrl: string): Promise<void> {
  const { page } = person;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Nickname").fill(person.nickname);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/chat`);
  await waitForChatReady(page);
}

export async function logIn(person: Person, baseUrl: string): Promise<void> {
  const { page } = person;
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Nickname").fill(person.nickname);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${baseUrl}/chat`);
  await waitForChatReady(page);
}

/** Keys ready and the signaling connection up. */
export async function waitForChatReady(page: Page): Promise<void> {
  await page.getByText("(keys ready)").waitFor({ timeout: 30_000 });
  await page.getByText("online", { exact: true }).waitFor({ timeout: 30_000 });
}

export async function connectTo(person: Person, nickname: string): Promise<void> {
  const { page } = person;
  await page.getByLabel("Nickname to contact").fill(nickname);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByRole("heading", { name: nickname }).waitFor();
}

export async function waitForConnection(person: Person, state: "direct" | "relayed" | "offline" | "connecting", timeoutMs = 30_000): Promise<void> {
  await expectText(person.page.getByRole("status", { name: "Connection state" }).locator("strong"), state, timeoutMs);
}

export async function send(person: Person, text: string): Promise<void> {
  const { page } = person;
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** The texts and statuses in the "Messages" log, in order. */
export async function messages(person: Person): Promise<{ text: string; status: string; direction: string }[]> {
  return person.page
    .getByRole("log", { name: "Messages" })
    .locator("li[data-status]")
    .evaluateAll((items) =>
      items.map((li) => ({
        text: li.querySelector(".text")?.textContent ?? "",
        status: li.querySelector(".status")?.textContent ?? "",
        direction: li.classList.contains("out") ? "out" : "in",
      })),
    );
}

export async function closePeople(people: Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.browser.close().catch(() => undefined)));
}
