// Chat benchmark: the product end to end in Chromium on loopback, against a
// bare RTCDataChannel between the same two pages as the named baseline,
// measured in the same run.
//
//   cold   alice presses "Connect" (to bob, online, never connected before)
//          and sends a message as soon as the conversation opens; the time is
//          from the click to her message reading "delivered" (bob stored it
//          and acknowledged it), cut into phases. A fresh pair of people each
//          run, in fresh browser contexts of the same two Chromium processes.
//          Baseline: the bare channel's own setup between the same pages (offer,
//          answer handed over directly, ICE+DTLS+SCTP, a first echo).
//   warm   over the open channel, messages one after another, each sent when
//          the previous one reads "delivered": submit → W Ratchet → data
//          channel → bob decrypts, stores it once, acks → alice shows it
//          delivered. Measured twice: with no history, and with a history of
//          5,000 messages in the open conversation (written into both pages'
//          IndexedDB first): the cost of a message must not grow with it.
//          Baseline: the same 256-byte round trip as ping → echo on a separate
//          RTCPeerConnection between the same two pages, set up without any
//          server: no encryption, framing, storage or UI. Warm blocks of ours
//          and of the baseline alternate, so both see the same machine.
//   memory the JS heap of alice's page (after a full GC) with 50,000 messages
//          in the open conversation, beside the same kind of page with a short
//          history.
//
// Everything is timed inside the pages (performance.now(), MutationObserver
// on the "Messages" log), never across a Playwright call. Then where a round
// trip's time goes (bench/chat/breakdown.ts) at both histories.
//
//   npx tsx bench/chat.ts [--messages 1000] [--quick] [--cold-runs 5] [--history 5000] [--memory-history 50000]
//                         [--budget 300] [--no-breakdown] [--json]
//
// --budget caps each warm measurement of ours, in seconds (0: no cap); when
// it runs out, the figures are over the messages measured, and the report
// says so.
//
// Goals: cold under 500 ms; warm p50 under 5 ms and p99 under 20 ms at both
// histories; under 150 MB of JS heap with the long history.

import { cpus, loadavg } from "node:os";
import type { Person } from "../__tests__/e2e/support/people";
import { coldPhases, coldRequests, handshakeSteps } from "./chat/breakdown";
import { cpuBetween, cpuSnapshot, type CpuUse } from "./chat/cpu";
import { baselineAnswer, baselineBlock, baselineClose, baselineConnect, baselineOffer, coldConnect, warmBlock, type WarmResult } from "./chat/drive";
import { countHistory, heapAfterGc, oldestAt, scrollBackTo, seedHistory } from "./chat/history";
import { cpuPerMessage, instrumentedBlock, type Pair } from "./chat/instrumented";
import { printReport, type ColdRun, type Report, type WarmAt } from "./chat/print";
import { ensureBuild, newPerson, probe, settle, startWorld } from "./chat/session";
import { fmt, latency, median, round } from "./chat/stats";

export interface ChatBenchOptions {
  /** Warm round trips of ours and of the baseline, at each history (default 1,000; 200 with quick). */
  messages?: number;
  quick?: boolean;
  json?: boolean;
  /** Cold connects, each with a fresh pair (default 5; 3 with quick; at least 2 and at most 5: sign-ups are limited to 10 an hour per address). */
  coldRuns?: number;
  /** Messages already in the conversation for the second warm measurement (default 5,000). */
  history?: number;
  /** Messages in the conversation for the memory measurement (default 50,000). */
  memoryHistory?: number;
  /** Cap on each warm measurement of ours, seconds; 0 for none (default 300; 90 with quick). */
  budgetSec?: number;
  /** Measure where the time goes (default true). */
  breakdown?: boolean;
}

export const MESSAGE_BYTES = 256;
export const GOALS = { coldMs: 500, warmP50Ms: 5, warmP99Ms: 20, heapMb: 150 } as const;
const BASELINE_NAME = "RTCDataChannel between the same two pages (SDP handed over directly; no server, encryption, framing, storage or UI)";

const progress = (text: string) => process.stderr.write(`[chat] ${text}\n`);

const textOf = (tag: string) => {
  const head = `${tag} `;
  return head + "0123456789abcdefghijklmnopqrstuvwxyz".repeat(8).slice(0, MESSAGE_BYTES - head.length);
};

export async function runChatBench(opts: ChatBenchOptions = {}): Promise<Report> {
  const quick = opts.quick === true;
  const messages = opts.messages ?? (quick ? 200 : 1000);
  if (!Number.isInteger(messages) || messages <= 0) throw new Error("messages must be a positive integer");
  const coldRuns = Math.min(5, Math.max(2, opts.coldRuns ?? (quick ? 3 : 5)));
  const history = opts.history ?? 5_000;
  const memoryHistory = opts.memoryHistory ?? 50_000;
  const budgetSec = opts.budgetSec ?? (quick ? 90 : 300);
  const withBreakdown = opts.breakdown ?? true;

  progress("making sure the production build is current (scripts/start.ts --build-only)…");
  ensureBuild("stderr");
  progress("starting the app and two Chromium processes…");
  const world = await startWorld();
  try {
    const roots = [world.alice.server.process().pid!, world.bob.server.process().pid!];

    // ---- cold
    const pairs: Pair[] = [];
    const runs: ColdRun[] = [];
    for (let i = 0; i < coldRuns; i++) {
      const [alice, bob] = await Promise.all([newPerson(world.alice, `alice-${i + 1}`, world.app.url), newPerson(world.bob, `bob-${i + 1}`, world.app.url)]);
      pairs.push({ alice, bob });
      await Promise.all([settle(alice.page, 500), settle(bob.page, 500)]);
      await Promise.all([probe.start(alice.page), probe.start(bob.page)]);
      const result = await alice.page.evaluate(coldConnect, { peer: bob.nickname, text: textOf(`cold-${i}`), timeoutMs: 30_000 });
      const [a, b] = await Promise.all([probe.stop(alice.page), probe.stop(bob.page)]);
      runs.push({
        ...result,
        phases: coldPhases(a, b, result.clickEpoch, result.delivered, MESSAGE_BYTES),
        handshake: handshakeSteps(a, b, MESSAGE_BYTES),
        requests: { alice: coldRequests(a, result.clickEpoch, result.delivered), bob: coldRequests(b, result.clickEpoch, result.delivered) },
      });
      progress(`cold ${i + 1}/${coldRuns}: ${fmt(result.delivered, 0)} ms (direct after ${fmt(result.direct, 0)} ms)`);
      // Two pairs stay: one for each warm measurement.
      if (pairs.length > 2) await closePair(pairs.shift()!);
    }
    const [fresh, long] = pairs as [Pair, Pair];

    // ---- warm, no history
    const short = await warmAt(fresh, { messages, budgetSec, roots, label: "no history" });
    let breakdownShort: Report["breakdown"] = null;
    if (withBreakdown) {
      progress("breakdown with no history: instrumented messages, durability what-if, JS profile…");
      breakdownShort = { short: await instrumentedBlock(fresh, quick ? 20 : 40, roots, { profile: quick ? 10 : 20, durability: { rounds: quick ? 1 : 2, each: quick ? 8 : 10 } }), long: null };
    }
    const shortHeap = await heapOf(fresh.alice);
    await closePair(fresh);

    // ---- warm, long history
    progress(`writing ${history.toLocaleString("en-US")} messages into both pages' history…`);
    await seedPair(long, history);
    const longWarm = await warmAt(long, { messages, budgetSec, roots, label: `${history.toLocaleString("en-US")} in history` });
    if (withBreakdown && breakdownShort) {
      progress("breakdown with the long history: instrumented messages…");
      breakdownShort.long = await instrumentedBlock(long, quick ? 20 : 40, roots);
    }

    // ---- memory
    progress(`writing history up to ${memoryHistory.toLocaleString("en-US")} messages, then opening the conversation…`);
    const memory = await memoryWith(long, memoryHistory, quick ? 1_000 : 2_000);
    await closePair(long);

    // ---- figures
    const coldMs = runs.map((r) => r.delivered);
    const median1 = (values: number[]) => round(median(values), 1);
    const phaseKeys = Object.keys(runs[0]!.phases) as (keyof ColdRun["phases"])[];
    const stepKeys = Object.keys(runs[0]!.handshake) as (keyof ColdRun["handshake"])[];
    const coldBaseline = short.coldBaselineMs;
    const report: Report = {
      meta: { chromium: world.alice.browser.version(), node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2), quick, date: new Date().toISOString(), messageBytes: MESSAGE_BYTES, baseline: BASELINE_NAME },
      cold: {
        runs: runs.map((r) => ({ ...r, open: round(r.open, 1), submit: round(r.submit, 1), shown: round(r.shown, 1), direct: round(r.direct, 1), delivered: round(r.delivered, 1) })),
        medianMs: median1(coldMs),
        maxMs: round(Math.max(...coldMs), 1),
        phasesMedian: Object.fromEntries(phaseKeys.map((k) => [k, median1(runs.map((r) => r.phases[k]))])) as unknown as ColdRun["phases"],
        handshakeMedian: Object.fromEntries(stepKeys.map((k) => [k, median1(runs.map((r) => r.handshake[k]))])) as unknown as ColdRun["handshake"],
        baselineMs: coldBaseline,
        ratio: round(median(coldMs) / coldBaseline.total, 1),
      },
      warm: { short, long: longWarm },
      memory: { ...memory, shortHistoryHeapMb: shortHeap, shortHistory: short.totalAtStart + short.ours.count },
      goals: {
        coldUnder500ms: median(coldMs) < GOALS.coldMs,
        warmP50Under5msNoHistory: short.ours.p50 < GOALS.warmP50Ms,
        warmP99Under20msNoHistory: short.ours.p99 < GOALS.warmP99Ms,
        warmP50Under5msLongHistory: longWarm.ours.p50 < GOALS.warmP50Ms,
        warmP99Under20msLongHistory: longWarm.ours.p99 < GOALS.warmP99Ms,
        heapUnder150MbLongHistory: memory.openedHeapMb < GOALS.heapMb,
      },
      breakdown: breakdownShort,
    };
    if (opts.json) console.log(JSON.stringify(report));
    else printReport(report, GOALS);
    return report;
  } finally {
    await world.close();
  }
}

async function closePair(pair: Pair): Promise<void> {
  await Promise.all([pair.alice.context.close().catch(() => undefined), pair.bob.context.close().catch(() => undefined)]);
}

/** Both open the conversation (as when both people are chatting), and both see it "direct". */
async function openConversation(pair: Pair): Promise<void> {
  for (const [me, other] of [
    [pair.alice, pair.bob],
    [pair.bob, pair.alice],
  ] as const) {
    await me.page.getByRole("navigation", { name: "Recent contacts" }).getByRole("button", { name: other.nickname, exact: true }).click();
    await me.page.getByRole("region", { name: `Conversation with ${other.nickname}` }).getByRole("log", { name: "Messages" }).waitFor();
  }
  for (const p of [pair.alice.page, pair.bob.page]) await p.locator('section[aria-label^="Conversation with"] strong[data-state="direct"]').waitFor({ timeout: 30_000 });
  await Promise.all([settle(pair.alice.page), settle(pair.bob.page)]);
}

/** `count` messages of history before everything the pair has written, in both pages. */
async function seedPair(pair: Pair, count: number): Promise<void> {
  for (const [me, other] of [
    [pair.alice, pair.bob],
    [pair.bob, pair.alice],
  ] as const) {
    const newestAt = (await me.page.evaluate(oldestAt, { account: me.nickname, peer: other.nickname })) - 1_000;
    await me.page.evaluate(seedHistory, { account: me.nickname, peer: other.nickname, count, newestAt, size: MESSAGE_BYTES });
  }
}

async function heapOf(person: Person): Promise<number> {
  const cdp = await person.context.newCDPSession(person.page);
  try {
    return round((await heapAfterGc(cdp)) / 2 ** 20, 1);
  } finally {
    await cdp.detach();
  }
}

/** Ours and the baseline in alternating blocks, over an open conversation with whatever history it has. */
async function warmAt(pair: Pair, o: { messages: number; budgetSec: number; roots: number[]; label: string }): Promise<WarmAt> {
  await openConversation(pair);
  const offer = await pair.alice.page.evaluate(baselineOffer);
  const answer = await pair.bob.page.evaluate(baselineAnswer, offer.sdp);
  const connectMs = await pair.alice.page.evaluate(baselineConnect, answer.sdp);
  const firstEcho = (await pair.alice.page.evaluate(baselineBlock, { count: 1, size: MESSAGE_BYTES, timeoutMs: 10_000 })).roundTrip[0]!;
  const coldBaselineMs = { offer: round(offer.ms, 1), answer: round(answer.ms, 1), connect: round(connectMs, 1), firstEcho: round(firstEcho, 1), total: round(offer.ms + answer.ms + connectMs + firstEcho, 1) };
  await pair.alice.page.evaluate(warmBlock, { count: 5, first: 0, size: MESSAGE_BYTES, tag: "warm-up", timeoutMs: 30_000 });
  await pair.alice.page.evaluate(baselineBlock, { count: 50, size: MESSAGE_BYTES, timeoutMs: 10_000 });
  await Promise.all([settle(pair.alice.page), settle(pair.bob.page)]);

  const totalAtStart = await pair.alice.page.evaluate(countHistory, { account: pair.alice.nickname, peer: pair.bob.nickname });
  const loadedAtStart = await pair.alice.page.evaluate(() => Number(document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]')?.dataset.count ?? 0));
  const ours: WarmResult[] = [];
  const base: { roundTrip: number[]; wallMs: number }[] = [];
  const cpuUses: CpuUse[] = [];
  const block = Math.min(50, o.messages);
  let sent = 0;
  let baseSent = 0;
  let stoppedByBudget = false;
  const started = performance.now();
  progress(`warm (${o.label}): ${o.messages} round trips of ours and of the baseline, in alternating blocks of ${block}…`);
  while (sent < o.messages) {
    if (o.budgetSec > 0 && performance.now() - started > o.budgetSec * 1000) {
      stoppedByBudget = true;
      break;
    }
    const count = Math.min(block, o.messages - sent);
    const before = cpuSnapshot(o.roots);
    ours.push(await pair.alice.page.evaluate(warmBlock, { count, first: sent, size: MESSAGE_BYTES, tag: "m", timeoutMs: 60_000 }));
    cpuUses.push(cpuBetween(before, cpuSnapshot(o.roots)));
    sent += count;
    base.push(await pair.alice.page.evaluate(baselineBlock, { count, size: MESSAGE_BYTES, timeoutMs: 10_000 }));
    baseSent += count;
    const last = ours.at(-1)!;
    progress(`warm (${o.label}): ${sent}/${o.messages}, this block p50 ${fmt(latency(last.roundTrip).p50, 1)} ms (baseline ${fmt(latency(base.at(-1)!.roundTrip).p50, 2)} ms), ${(totalAtStart + sent).toLocaleString("en-US")} messages in the conversation, ${last.loadedAfter} loaded in the page`);
  }
  while (baseSent < o.messages) {
    const count = Math.min(block, o.messages - baseSent);
    base.push(await pair.alice.page.evaluate(baselineBlock, { count, size: MESSAGE_BYTES, timeoutMs: 10_000 }));
    baseSent += count;
  }
  await pair.alice.page.evaluate(baselineClose);
  await pair.bob.page.evaluate(baselineClose);

  const oursRt = ours.flatMap((w) => w.roundTrip);
  const baseRt = base.flatMap((b) => b.roundTrip);
  const warm = latency(oursRt);
  const baseline = latency(baseRt);
  return {
    label: o.label,
    totalAtStart,
    ours: warm,
    baseline,
    ratios: { p50: round(warm.p50 / baseline.p50, 1), p99: round(warm.p99 / baseline.p99, 1) },
    requested: o.messages,
    stoppedByBudget,
    budgetSec: o.budgetSec,
    messagesPerSec: round((1000 * oursRt.length) / ours.reduce((s, w) => s + w.wallMs, 0), 1),
    baselineMessagesPerSec: round((1000 * baseRt.length) / base.reduce((s, b) => s + b.wallMs, 0), 1),
    shownP50: latency(ours.flatMap((w) => w.shown)).p50,
    loadedAtStart,
    loadedAtEnd: ours.at(-1)?.loadedAfter ?? loadedAtStart,
    byHistory: byHistory(ours, totalAtStart, 200),
    cpu: cpuPerMessage(cpuUses, oursRt.length),
    coldBaselineMs,
  };
}

/** Alice's page with `total` messages in the open conversation: its heap once opened, and after scrolling back through `scrollBack` of them. */
async function memoryWith(pair: Pair, total: number, scrollBack: number): Promise<Report["memory"]> {
  const { alice, bob } = pair;
  const newestAt = (await alice.page.evaluate(oldestAt, { account: alice.nickname, peer: bob.nickname })) - 1_000;
  const have = await alice.page.evaluate(countHistory, { account: alice.nickname, peer: bob.nickname });
  const seedMs = await alice.page.evaluate(seedHistory, { account: alice.nickname, peer: bob.nickname, count: Math.max(0, total - have), newestAt, size: MESSAGE_BYTES });
  // A fresh page load: nothing of the earlier history stays in memory.
  await alice.page.reload();
  await alice.page.getByText("(keys ready)").waitFor({ timeout: 30_000 });
  const started = Date.now();
  await alice.page.getByRole("navigation", { name: "Recent contacts" }).getByRole("button", { name: bob.nickname, exact: true }).click();
  await alice.page.locator('[role="log"][aria-label="Messages"] li[data-status]').first().waitFor({ timeout: 30_000 });
  const openMs = Date.now() - started;
  await settle(alice.page, 500);
  const openedHeapMb = await heapOf(alice);
  const loaded = await scrollBackTo(alice.page, scrollBack);
  await settle(alice.page, 500);
  const scrolledHeapMb = await heapOf(alice);
  const domRows = await alice.page.locator('[role="log"][aria-label="Messages"] li[data-status]').count();
  return { history: total, seedMs: round(seedMs, 0), openMs, openedHeapMb, scrolledBack: loaded, scrolledHeapMb, domRows, shortHistoryHeapMb: 0, shortHistory: 0 };
}

/** Round trips in slices of `size`, by how many messages the conversation held when each was sent. */
function byHistory(blocks: WarmResult[], totalAtStart: number, size: number): WarmAt["byHistory"] {
  const points = blocks.flatMap((w) => w.roundTrip).map((rt, j) => ({ history: totalAtStart + j, rt }));
  const out: WarmAt["byHistory"] = [];
  for (let i = 0; i < points.length; i += size) {
    const slice = points.slice(i, i + size);
    const l = latency(slice.map((p) => p.rt));
    out.push({ from: slice[0]!.history, to: slice.at(-1)!.history, p50: l.p50, p99: l.p99 });
  }
  return out;
}

function parseArgs(argv: string[]): ChatBenchOptions {
  const opts: ChatBenchOptions = {};
  const int = (flag: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json") opts.json = true;
    else if (flag === "--quick") opts.quick = true;
    else if (flag === "--no-breakdown") opts.breakdown = false;
    else if (flag === "--messages") opts.messages = int(flag, argv[++i], 1);
    else if (flag === "--cold-runs") opts.coldRuns = int(flag, argv[++i], 2);
    else if (flag === "--history") opts.history = int(flag, argv[++i], 1);
    else if (flag === "--memory-history") opts.memoryHistory = int(flag, argv[++i], 1);
    else if (flag === "--budget") opts.budgetSec = int(flag, argv[++i], 0);
    else throw new Error(`unknown option ${flag}; see the comment at the top of bench/chat.ts`);
  }
  return opts;
}

if (/bench[\\/]chat\.ts$/.test(process.argv[1] ?? "")) {
  runChatBench(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
