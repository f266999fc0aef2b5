import { readdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserServer, type Page } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium";
import { expectText } from "./wait";

// A person is a separate Chromium process with its own profile, as two people
// on two machines would be.

export interface Person {
  nickname: string;
  server: BrowserServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

export const PASSWORD = "correct horse battery staple";

/** What the page helpers need of a person: any browser page signed in (or to sign in) as `nickname`. */
export type OnPage = Pick<Person, "nickname" | "page">;

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  isMobile?: boolean;
  /** A HOME whose NSS database trusts a test CA (support/trust-store.ts). */
  home?: string;
  /** Another Chromium executable (the NAT lab's wrapper that runs it inside a network namespace). */
  executablePath?: string;
  extraArgs?: string[];
}

export async function launchPerson(nickname: string, opts: LaunchOptions = {}): Promise<Person> {
  // A browser server, so the test can reach the Chromium processes themselves.
  const env = opts.home ? { ...process.env, HOME: opts.home } : undefined;
  const server = await chromium.launchServer({ executablePath: opts.executablePath ?? chromiumPath(), args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])], headless: true, env });
  const browser = await chromium.connect(server.wsEndpoint());
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1200, height: 900 }, isMobile: opts.isMobile, hasTouch: opts.isMobile });
  const page = await context.newPage();
  return { nickname, server, browser, context, page };
}

/** Every process of a person's Chromium: the browser and all it spawned. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid (after the parenthesised name).
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return tree;
}

/**
 * Cuts a person off the network the hard way: every Chromium process is
 * stopped (SIGSTOP), so its WebRTC and WebSocket traffic simply ceases, as
 * when a laptop lid closes. `thaw` resumes them.
 */
export function freeze(person: Person): { thaw: () => void } {
  const pid = person.server.process().pid;
  if (!pid) throw new Error("no Chromium process to freeze");
  const pids = processTree(pid);
  for (const p of pids) process.kill(p, "SIGSTOP");
  return { thaw: () => pids.forEach((p) => process.kill(p, "SIGCONT")) };
}

export async function signUp(person: OnPage, baseUrl: string): Promise<void> {
  const { page } = person;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Nickname").fill(person.nickname);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/chat`);
  await waitForChatReady(page);
}

export async function logIn(person: OnPage, baseUrl: string): Promise<void> {
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

/**
 * Shows /chat, as a person would get there: the "Back to chat" link from
 * /settings (client-side: the messenger and its connections keep running).
 */
export async function openChat(person: OnPage): Promise<void> {
  const { page } = person;
  if (new URL(page.url()).pathname === "/chat") return;
  if (new URL(page.url()).pathname !== "/settings") throw new Error(`${person.nickname} is on ${page.url()}, not on /chat or /settings`);
  await page.getByRole("link", { name: "Back to chat" }).click();
  await page.waitForURL((url) => url.pathname === "/chat");
  await page.getByRole("link", { name: "Settings" }).waitFor();
}

/**
 * Shows /settings through the "Settings" link on /chat (above the list: on a
 * phone with a conversation open, Back first), and waits for the home relay's settings.
 */
export async function openSettings(person: OnPage): Promise<void> {
  const { page } = person;
  if (new URL(page.url()).pathname !== "/settings") {
    await openChat(person);
    if (!(await page.getByRole("link", { name: "Settings" }).isVisible())) await showList(person);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL((url) => url.pathname === "/settings");
  }
  await page.getByRole("checkbox", { name: "Use this device as my home relay" }).waitFor({ timeout: 30_000 });
}

/** On /chat with the conversation list showing (on a phone an open conversation covers it: Back). */
export async function showList(person: OnPage): Promise<void> {
  await openChat(person);
  const back = person.page.getByRole("button", { name: "Back to conversations" });
  if (await back.isVisible()) await back.click();
  await person.page.getByLabel("Nickname to contact").waitFor();
}

export async function connectTo(person: OnPage, nickname: string): Promise<void> {
  const { page } = person;
  await showList(person);
  await page.getByLabel("Nickname to contact").fill(nickname);
  await page.getByRole("button", { name: "Connect" }).click();
  await conversationWith(page, nickname).waitFor();
}

export async function waitForConnection(person: OnPage, state: "direct" | "relayed" | "offline" | "connecting" | "unreachable", timeoutMs = 30_000): Promise<void> {
  await openChat(person);
  await expectText(person.page.getByRole("status", { name: "Connection state" }).locator("strong"), state === "relayed" ? "relayed (TURN)" : state, timeoutMs);
}

export async function send(person: OnPage, text: string): Promise<void> {
  const { page } = person;
  await openChat(person);
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/**
 * The texts and statuses in the "Messages" log, in order: every message of
 * the conversation, as a person scrolling through it would see them. The
 * log is virtualized (only rows near the screen are in the DOM) and pages
 * older history in as it is scrolled up, so this scrolls it to the top until
 * nothing older is left (data-has-older), then down a half screen at a time,
 * collecting each row by its position (aria-posinset), checks it saw as many
 * as the log holds (data-count), and leaves the log at the bottom again.
 */
export async function messages(person: OnPage): Promise<{ text: string; status: string; direction: string }[]> {
  await openChat(person);
  return person.page.getByRole("log", { name: "Messages" }).evaluate(async (log: HTMLElement) => {
    const painted = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const read = async () => {
      for (let round = 0; log.dataset.hasOlder !== "false"; round++) {
        if (round > 2_000) throw new Error("the Messages log kept loading older pages");
        log.scrollTop = 0;
        await painted();
      }
      const rows: { text: string; status: string; direction: string }[] = [];
      log.scrollTop = 0;
      for (;;) {
        await painted();
        for (const li of log.querySelectorAll<HTMLElement>("li[data-status]")) {
          rows[Number(li.getAttribute("aria-posinset")) - 1] = {
            text: li.querySelector(".text")?.textContent ?? "",
            status: li.querySelector(".status")?.textContent ?? "",
            direction: li.classList.contains("out") ? "out" : "in",
          };
        }
        if (log.scrollTop + log.clientHeight >= log.scrollHeight - 1) break;
        log.scrollTop += Math.max(1, Math.floor(log.clientHeight / 2));
      }
      return rows;
    };
    try {
      // A message arriving while this reads shifts nothing (it is appended), but is missed: read again.
      for (let attempt = 0; ; attempt++) {
        const rows = await read();
        const complete = rows.length === Number(log.dataset.count) && !rows.includes(undefined as never);
        if (complete || attempt === 4) return rows.filter(Boolean);
      }
    } finally {
      log.scrollTop = log.scrollHeight;
    }
  });
}

export async function closePeople(people: Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.browser.close().catch(() => undefined).then(() => p.server.close().catch(() => undefined))));
}

export async function openContact(person: OnPage, nickname: string): Promise<void> {
  await showList(person);
  await person.page.getByRole("navigation", { name: "Recent contacts" }).getByRole("button", { name: nickname, exact: true }).click();
  await conversationWith(person.page, nickname).waitFor();
}

/**
 * The unread count on `nickname`'s row of the conversation list (data-unread),
 * read even while a phone's open conversation covers the list; null without a row.
 */
export async function unreadCount(person: OnPage, nickname: string): Promise<number | null> {
  const rows = person.page.locator('nav[aria-label="Recent contacts"] li').filter({ has: person.page.locator(".contact-name", { hasText: new RegExp(`^${nickname}$`) }) });
  if ((await rows.count()) === 0) return null;
  return Number(await rows.first().getAttribute("data-unread"));
}

/** The open conversation's region (a retrieved log may show the same nickname as a heading too). */
function conversationWith(page: Page, nickname: string) {
  return page.getByRole("region", { name: `Conversation with ${nickname}` }).getByRole("heading", { name: nickname });
}
