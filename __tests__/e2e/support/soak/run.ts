import { startApp, type RunningApp } from "../app";
import { closePeople, connectTo, launchPerson, logIn, send, signUp, waitForChatReady } from "../people";
import { becomeHomeRelay, enableLogs, requestLogs, retrievedLogs } from "../relay";
import { eventually } from "../wait";
import { KEEP_NAMES_SHIM, ProfileBrowser } from "./profile-browser";
import { seededRng, type Rng } from "./rng";

// "Nothing lost, nothing twice", under fire, in real Chromium against the app
// as `npm start` runs it: bob and carol write to each other and to alice,
// whose home relay tab receives and seals for her, while the run cuts data
// channels (closing peer connections from the page), reloads pages, freezes
// browsers (SIGSTOP/SIGCONT), kills the home's browser (SIGKILL) and starts it
// again on the same profile, and restarts the server process (signaling and
// database). Every choice comes from one seed. At the end: every message is
// stored exactly once by its recipient (alice's in the home's sealed log,
// read back by her phone through "Retrieve logs"), every outbox is empty,
// and no message reads "delivered" that its recipient does not hold.

export const SOAK_PASSPHRASE = "a long log passphrase for the soak";
const ACCOUNTS = ["alice", "bob", "carol"] as const;
type Account = (typeof ACCOUNTS)[number];
const SENDERS = ["bob", "carol"] as const;
type Sender = (typeof SENDERS)[number];

export interface SoakPlan {
  seed: number;
  messages: number;
  cuts: number;
  reloads: number;
  freezes: number;
  homeKills: number;
  serverRestarts: number;
  /** How long a frozen browser, a killed home and a stopped server stay away. */
  downMs: number;
  /** How long, after the last message, everything gets to settle. */
  settleMs: number;
}

export type FaultKind = "cut" | "reload" | "freeze" | "homeKill" | "serverRestart";

export interface SoakReport {
  plan: SoakPlan;
  sent: number;
  injected: Record<FaultKind, number>;
  lost: number;
  duplicated: number;
  ackedNotStored: number;
  durationMs: number;
  /** Each problem found, in words (empty when the run is clean). */
  problems: string[];
}

interface StoredRow {
  id: string;
  peer: string;
  direction: "in" | "out";
  text: string;
  status: string;
}

/** The account's conversation history and outbox, straight from the page's IndexedDB. */
async function readStores(browser: ProfileBrowser, account: string): Promise<{ messages: StoredRow[]; outbox: number }> {
  return browser.page.evaluate(async (acct) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open("communisp");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const req = db.transaction(store, "readonly").objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const messages = (await all<StoredRow & { account: string }>("messages")).filter((m) => m.account === acct);
    const outbox = (await all<{ account: string }>("outbox")).filter((e) => e.account === acct).length;
    db.close();
    return { messages: messages.map(({ id, peer, direction, text, status }) => ({ id, peer, direction, text, status })), outbox };
  }, account);
}

/** Fault positions among the messages: spread out, none in the first five (the run warms up first). */
function schedule(plan: SoakPlan, rng: Rng): Map<number, FaultKind[]> {
  const at = new Map<number, FaultKind[]>();
  const place = (kind: FaultKind, count: number) => {
    for (let i = 0; i < count; i++) {
      const slot = 5 + Math.floor(((i + rng.next()) / count) * Math.max(1, plan.messages - 10));
      at.set(slot, [...(at.get(slot) ?? []), kind]);
    }
  };
  place("cut", plan.cuts);
  place("reload", plan.reloads);
  place("freeze", plan.freezes);
  place("homeKill", plan.homeKills);
  place("serverRestart", plan.serverRestarts);
  return at;
}

export async function runSoak(plan: SoakPlan, log: (line: string) => void = () => undefined): Promise<SoakReport> {
  const started = Date.now();
  const rng = seededRng(plan.seed);
  const injected: Record<FaultKind, number> = { cut: 0, reload: 0, freeze: 0, homeKill: 0, serverRestart: 0 };
  const browsers = new Map<Account, ProfileBrowser>(ACCOUNTS.map((a) => [a, new ProfileBrowser(a)]));
  const home = browsers.get("alice")!;
  // Who may be driven right now: not frozen, not restarting, not reloading.
  const busy = new Set<Account>();
  const pending: Promise<void>[] = [];
  let serverDown = false;
  let app: RunningApp | undefined;
  const phone = { person: null as Awaited<ReturnType<typeof launchPerson>> | null };
  const current = new Map<Sender, Account>();
  const expected: { from: Sender; to: Account; text: string }[] = [];
  try {
    app = await startApp();
    for (const browser of browsers.values()) await browser.launch();
    await signUp(home, app.url);
    await becomeHomeRelay(home);
    await enableLogs(home, SOAK_PASSPHRASE);
    for (const sender of SENDERS) await signUp(browsers.get(sender)!, app.url);
    log(`soak seed ${plan.seed}: ${plan.messages} messages, faults ${JSON.stringify({ cuts: plan.cuts, reloads: plan.reloads, freezes: plan.freezes, homeKills: plan.homeKills, serverRestarts: plan.serverRestarts })}`);

    const faults = schedule(plan, rng);
    const later = (run: () => Promise<void>) => {
      const task = run().catch((error: unknown) => {
        throw new Error(`a fault's recovery failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      pending.push(task);
    };
    const serverUp = () => eventually(async () => serverDown, (down) => !down, "the server to be back", 120_000);
    const reopen = async (account: Account) => {
      const browser = browsers.get(account)!;
      await serverUp();
      await browser.page.goto(`${app!.url}/chat`);
      // Chromium keeps cookies in memory and writes them out every 30 s or
      // so: a browser killed soon after logging in wakes up logged out, and
      // its person logs in again (the device and its data are still there).
      if (new URL(browser.page.url()).pathname === "/login") await logIn(browser, app!.url);
      try {
        await waitForChatReady(browser.page);
      } catch (error) {
        const body = (await browser.page.locator("body").innerText().catch(() => "")).slice(0, 400);
        throw new Error(`${account}'s page did not get ready at ${browser.page.url()}: ${(error as Error).message.split("\n")[0]}\n${body}`);
      }
      if (account !== "alice") current.delete(account as Sender);
    };

    // A fault whose moment is not possible yet (alice still frozen when her
    // browser is to be killed, the server already away when it is to restart,
    // a page load while the server is down) waits for that moment instead of
    // being skipped: every planned fault happens, which the tests assert.
    const possible = (kind: FaultKind) => {
      if (kind === "homeKill") return !busy.has("alice") && !serverDown;
      if (kind === "reload" || kind === "serverRestart") return !serverDown && ACCOUNTS.some((a) => !busy.has(a));
      return ACCOUNTS.some((a) => !busy.has(a));
    };
    const inject = async (kind: FaultKind) => {
      await eventually(async () => possible(kind), (yes) => yes, `the moment for a planned ${kind}`, 180_000);
      const free = ACCOUNTS.filter((a) => !busy.has(a));
      if (kind === "cut") {
        const who = rng.pick(free);
        await browsers.get(who)!.cutConnections();
      } else if (kind === "reload") {
        const who = rng.pick(free);
        busy.add(who);
        await reopen(who);
        busy.delete(who);
      } else if (kind === "freeze") {
        const who = rng.pick(free);
        const frozen = browsers.get(who)!.freeze();
        busy.add(who);
        later(async () => {
          await new Promise((r) => setTimeout(r, plan.downMs));
          frozen.thaw();
          busy.delete(who);
        });
      } else if (kind === "homeKill") {
        busy.add("alice");
        home.kill();
        later(async () => {
          await new Promise((r) => setTimeout(r, plan.downMs));
          await home.launch();
          await reopen("alice");
          busy.delete("alice");
        });
      } else {
        serverDown = true;
        await app!.halt();
        later(async () => {
          await new Promise((r) => setTimeout(r, plan.downMs));
          await app!.resume();
          serverDown = false;
        });
      }
      injected[kind] += 1;
      log(`  fault ${kind} (${Object.values(injected).reduce((a, b) => a + b, 0)})`);
    };

    for (let n = 0; n < plan.messages; n++) {
      for (const kind of faults.get(n) ?? []) await inject(kind);
      const senders = SENDERS.filter((s) => !busy.has(s));
      if (senders.length === 0) {
        await eventually(async () => SENDERS.filter((s) => !busy.has(s)).length, (k) => k > 0, "a sender to be back", 120_000);
      }
      const from = rng.pick(SENDERS.filter((s) => !busy.has(s)));
      const to: Account = rng.chance(0.5) ? "alice" : from === "bob" ? "carol" : "bob";
      const browser = browsers.get(from)!;
      // Opening a conversation asks the server: while it is away, only the open one is written in.
      if (current.get(from) !== to) {
        await serverUp();
        await connectTo(browser, to);
        current.set(from, to);
      }
      const text = `soak ${plan.seed} #${n} ${from}→${to}`;
      await send(browser, text);
      expected.push({ from, to, text });
      if (n % 25 === 0) log(`  sent ${n + 1}/${plan.messages}`);
    }
    await Promise.all(pending);
    log(`  all sent; settling (at most ${Math.round(plan.settleMs / 1000)} s)`);

    // Settled: every sender's outbox empty.
    for (const sender of SENDERS) {
      await eventually(() => readStores(browsers.get(sender)!, sender), (s) => s.outbox === 0, `${sender}'s outbox to empty`, plan.settleMs);
    }

    // What each recipient holds: bob's and carol's histories, and alice's sealed log as her phone retrieves it.
    const held = new Map<Account, string[]>();
    for (const person of SENDERS) {
      const { messages } = await readStores(browsers.get(person)!, person);
      held.set(person, messages.filter((m) => m.direction === "in").map((m) => m.text));
    }
    phone.person = await launchPerson("alice", { viewport: { width: 375, height: 812 }, isMobile: true });
    await phone.person.page.context().addInitScript(KEEP_NAMES_SHIM);
    await logIn(phone.person, app.url);
    const outcome = await requestLogs(phone.person, "Retrieve logs", SOAK_PASSPHRASE);
    const log_ = await retrievedLogs(phone.person);
    held.set("alice", Object.values(log_).flat());
    log(`  alice's phone: ${outcome}`);

    // What each sender believes delivered.
    const delivered = new Set<string>();
    for (const sender of SENDERS) {
      for (const m of (await readStores(browsers.get(sender)!, sender)).messages) if (m.direction === "out" && m.status === "delivered") delivered.add(m.text);
    }

    const problems: string[] = [];
    let lost = 0;
    let duplicated = 0;
    let ackedNotStored = 0;
    for (const { to, text } of expected) {
      const copies = (held.get(to) ?? []).filter((t) => t === text).length;
      if (copies === 0) {
        lost += 1;
        problems.push(`lost: "${text}"`);
        if (delivered.has(text)) {
          ackedNotStored += 1;
          problems.push(`acknowledged but not stored: "${text}"`);
        }
      }
      if (copies > 1) {
        duplicated += copies - 1;
        problems.push(`stored ${copies} times: "${text}"`);
      }
      if (!delivered.has(text)) problems.push(`never read "delivered" at the sender: "${text}"`);
    }
    const sentTexts = new Set(expected.map((e) => e.text));
    for (const [who, texts] of held) for (const t of texts) if (t.startsWith("soak ") && !sentTexts.has(t)) problems.push(`${who} holds a message nobody sent: "${t}"`);
    return { plan, sent: expected.length, injected, lost, duplicated, ackedNotStored, durationMs: Date.now() - started, problems };
  } finally {
    await Promise.allSettled(pending);
    if (phone.person) await closePeople([phone.person]);
    for (const browser of browsers.values()) await browser.close();
    await app?.stop();
  }
}

/** The docs/reliability.md row for a report. */
export function reportRow(scenario: string, report: SoakReport, command: string): string {
  const i = report.injected;
  const faults = `${i.cut} cuts, ${i.reload} reloads, ${i.freeze} freezes, ${i.homeKill} home kills, ${i.serverRestart} server restarts`;
  return `| ${scenario} | ${report.sent} | ${faults} | ${report.lost} | ${report.duplicated} | ${report.ackedNotStored} | ${report.plan.seed} | \`${command}\` |`;
}

export const REPORT_HEADER = "| scenario | messages | injected | lost | duplicated | acked, not stored | seeds | reproduce with |\n|---|---|---|---|---|---|---|---|";
