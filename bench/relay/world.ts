// The relay benchmark's world: the app as `npm start` runs it (current
// production build, temporary database, loopback) and two Chromium
// processes, launched with the e2e flags: the home tab of account A, and a
// second device of A that retrieves its logs. Everything started here is
// stopped by `close()`, which is safe to call more than once and on a world
// that was only half built.

import { rmSync } from "node:fs";
import type { Page } from "playwright-core";
import { startApp, type RunningApp } from "../../__tests__/e2e/support/app";
import { ensureBuild } from "../../__tests__/e2e/support/build";
import { closePeople, launchPerson, logIn, openSettings, signUp, waitForChatReady, type Person } from "../../__tests__/e2e/support/people";
import { becomeHomeRelay, enableLogs, expectLogCount } from "../../__tests__/e2e/support/relay";
import { descendants, endLeftovers } from "./leftovers";
import { WIRE_SCRIPT } from "./wire";

export const ACCOUNT = "alice";
export const PASSPHRASE = "a long log passphrase for the relay bench";
const VIEWPORT = { width: 1200, height: 900 };

export class WorldBuilder {
  app: RunningApp | null = null;
  readonly people: Person[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor() {
    process.on("exit", this.onExit);
  }

  /**
   * Playwright's own SIGINT handler exits the process before an orderly
   * close can finish, and the e2e helper then kills only the app's direct
   * child: whatever of ours is still running at exit is ended here, at once.
   */
  private readonly onExit = () => {
    for (const p of descendants()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    if (this.app) rmSync(this.app.dataDir, { recursive: true, force: true });
  };

  async startApp(): Promise<RunningApp> {
    ensureBuild("stderr");
    const app = await startApp();
    this.app = app;
    if (this.closed) {
      await app.stop();
      throw new Error("the bench was stopped");
    }
    return app;
  }

  async launch(nickname: string): Promise<Person> {
    const person = await launchPerson(nickname, { viewport: VIEWPORT });
    if (this.closed) {
      await closePeople([person]);
      throw new Error("the bench was stopped");
    }
    this.people.push(person);
    await person.context.addInitScript({ content: WIRE_SCRIPT });
    return person;
  }

  /** Signs A up, makes this tab the home relay and enables logs (default argon2id parameters). */
  async makeHome(baseUrl: string): Promise<Person> {
    const home = await this.launch(ACCOUNT);
    await signUp(home, baseUrl);
    await becomeHomeRelay(home);
    await enableLogs(home, PASSPHRASE);
    return home;
  }

  /** Logs A in on a second device and opens /settings, where "Logs from your home relay" is (reloads stay there). */
  async makePhone(baseUrl: string): Promise<Person> {
    const phone = await this.launch(ACCOUNT);
    await logIn(phone, baseUrl);
    await openSettings(phone);
    return phone;
  }

  /** Both browsers, then the app; then whatever they left running (the app server's own child, say). Safe to call twice. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      const started = descendants();
      await closePeople(this.people).catch(() => undefined);
      await this.app?.stop().catch(() => undefined);
      const ended = await endLeftovers(started);
      if (ended.length > 0) process.stderr.write(`[relay bench] ended ${ended.length} process(es) still running after shutdown: ${ended.join("; ")}\n`);
      process.off("exit", this.onExit);
    })();
    return this.closing;
  }
}

/** Reloads an app page (/chat or /settings) and waits until it is back: keys ready, online. */
export async function reloadChat(page: Page): Promise<void> {
  await page.reload();
  await waitForChatReady(page);
}

export { expectLogCount };
