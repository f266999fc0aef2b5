// The chat benchmark's world: the app as `npm start` runs it (current
// production build, temp database, loopback), and two Chromium processes,
// alice's and bob's. Each pair of people gets a fresh browser context in each
// of the two processes (its own profile: IndexedDB, cookies), so every pair
// starts with nothing connected and nothing stored.

import type { Page } from "playwright-core";
import { startApp, type RunningApp } from "../../__tests__/e2e/support/app";
import { ensureBuild } from "../../__tests__/e2e/support/build";

export { ensureBuild };
import { closePeople, launchPerson, signUp, type Person } from "../../__tests__/e2e/support/people";
import { installProbe, PAGE_SHIM, type ProbeEvent, type ProbeState, type ProbeTx } from "./probe";

const VIEWPORT = { width: 1200, height: 900 };

export interface World {
  app: RunningApp;
  /** The two Chromium processes (their first, unused, contexts are closed). */
  alice: Person;
  bob: Person;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const app = await startApp();
  const processes: Person[] = [];
  try {
    processes.push(await launchPerson("alice-browser", { viewport: VIEWPORT }), await launchPerson("bob-browser", { viewport: VIEWPORT }));
    await Promise.all(processes.map((p) => p.context.close()));
  } catch (error) {
    await closePeople(processes);
    await app.stop();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    alice: processes[0]!,
    bob: processes[1]!,
    close: () => (closed ??= closePeople(processes).finally(() => app.stop())),
  };
}

/** A person in a fresh context of `browser`'s process, with the probe installed, signed up and on /chat (keys ready, online). */
export async function newPerson(browser: Person, nickname: string, baseUrl: string): Promise<Person> {
  const context = await browser.browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript({ content: PAGE_SHIM });
  await context.addInitScript(installProbe);
  const page = await context.newPage();
  const person: Person = { nickname, server: browser.server, browser: browser.browser, context, page };
  await signUp(person, baseUrl);
  return person;
}

export const probe = {
  /** Clears the page's records and starts recording; `relaxed` is the IndexedDB durability what-if. */
  start: (page: Page, relaxed = false) =>
    page.evaluate((relax) => {
      const p = (globalThis as unknown as { __benchProbe: ProbeState }).__benchProbe;
      p.events = [];
      p.txs = [];
      p.relaxed = relax;
      p.on = true;
    }, relaxed),
  stop: (page: Page) =>
    page.evaluate(() => {
      const p = (globalThis as unknown as { __benchProbe: ProbeState }).__benchProbe;
      p.on = false;
      p.relaxed = false;
      const out = { events: p.events, txs: p.txs };
      p.events = [];
      p.txs = [];
      return out as { events: ProbeEvent[]; txs: ProbeTx[] };
    }),
};

/** Lets a page go quiet: two animation frames and `ms` of idle. */
export async function settle(page: Page, ms = 300): Promise<void> {
  await page.evaluate((wait) => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, wait)))), ms);
}
