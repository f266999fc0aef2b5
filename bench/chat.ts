// Chat benchmark: the product end to end in Chromium on loopback, against a
// bare RTCDataChannel between the same two pages as the named baseline,
// measured in the same run.
//
//   cold   alice presses "Connect" (to bob, online, never connected before)
//          and sends a message as soon as the conversation opens; the time is
//          from the click to her message reading "delivered" (bob stored it
//          and acknowledged it). A fresh pair of people each run, in fresh
//          browser contexts of the same two Chromium processes.
//   warm   over the open channel, messages one after another, each sent when
//          the previous one reads "delivered": submit → alice stores it
//          (outbox + history) → W Ratchet → data channel → bob decrypts,
//          stores it once, acks → alice marks it delivered → the page shows it.
//   baseline  the same 256-byte round trip as ping → echo on a separate
//          RTCPeerConnection between the same two pages, set up without any
//          server (SDP through page.evaluate, iceServers: []): no encryption,
//          framing, storage or UI. Warm blocks of ours and of the baseline
//          alternate, so both see the same machine.
//
// Everything is timed inside the pages (performance.now(), MutationObserver
// on the "Messages" log), never across a Playwright call. Then a breakdown of
// where a round trip's time goes (bench/chat/breakdown.ts), with a fresh pair
// (short history) and on the measured pair (long history).
//
//   npx tsx bench/chat.ts [--messages 1000] [--quick] [--cold-runs 5] [--budget 300] [--no-breakdown] [--json]
//
// --budget caps the warm measurement of ours, in seconds (0: no cap): every
// message re-renders the whole conversation, so later messages are slower
// and 1,000 of them can take many minutes on a small machine. When it runs
// out, the figures are over the messages measured, and the report says so.
//
// Goals: cold under 500 ms; warm p50 under 5 ms and p99 under 20 ms.

import { cpus, loadavg } from "node:os";
import type { CDPSession } from "playwright-core";
import type { Person } from "../__tests__/e2e/support/people";
import {
  coldPhases,
  coldRequests,
  mainThreadPerMessage,
  readMetrics,
  STAGE_LABELS,
  startProfile,
  stopProfile,
  warmStages,
  type ColdPhases,
  type HotSpot,
  type MainThread,
  type WarmStageReport,
} from "./chat/breakdown";
import { cpuBetween, cpuSnapshot, type CpuUse } from "./chat/cpu";
import { baselineAnswer, baselineBlock, baselineClose, baselineConnect, baselineOffer, coldConnect, warmBlock, type ColdResult, type WarmResult } from "./chat/drive";
import { ensureBuild, newPerson, probe, settle, startWorld } from "./chat/session";
import { fmt, latency, median, round, type Latency } from "./chat/stats";

export interface ChatBenchOptions {
  /** Warm round trips of ours and of the baseline (default 1,000; 200 with quick). */
  messages?: number;
  quick?: boolean;
  json?: boolean;
  /** Cold connects, each with a fresh pair (default 5; 3 with quick; at most 5: sign-ups are limited to 10 an hour per address). */
  coldRuns?: number;
  /** Cap on the warm measurement of ours, seconds; 0 for none (default 300; 90 with quick). */
  budgetSec?: number;
  /** Measure where the time goes (default true). */
  breakdown?: boolean;
}

export const MESSAGE_BYTES = 256;
export const GOALS = { coldMs: 500, warmP50Ms: 5, warmP99Ms: 20 } as const;
const BASELINE_NAME = "RTCDataChannel echo (same two pages; no encryption, framing, storage or UI)";

export interface ColdRun extends ColdResult {
  phases: ColdPhases;
  /** Each side's requests to the server during the connect (start in ms after the click, duration). */
  requests: { alice: ColdRequest[]; bob: ColdRequest[] };
}

export interface ColdRequest {
  request: string;
  startMs: number;
  ms: number;
}

export interface CpuPerMessage {
  /** ms of CPU per message in alice's and bob's Chromium, by process type. */
  alice: Record<string, number>;
  bob: Record<string, number>;
  server: number;
  /** Other processes on the machine, % of one core over the measurement; above ~20 the figures are noisy. */
  otherCpuPercent: number;
}

export interface BreakdownAt {
  /** Messages in the conversation when it was measured. */
  history: number;
  stages: WarmStageReport;
  mainThread: { alice: MainThread; bob: MainThread };
  cpu: CpuPerMessage;
}

export interface Breakdown {
  /** Null with --cold-runs 1 (no second pair). */
  short: null | (BreakdownAt & {
    /** What-if: every read-write IndexedDB transaction forced to durability "relaxed", blocks alternating with "strict". */
    durability: { messagesEach: number; strictP50: number; relaxedP50: number; strictP90: number; relaxedP90: number };
    /** Sampled JS profile, self time per message. */
    profile: { history: number; alice: { busyMsPerMessage: number; hotSpots: HotSpot[] }; bob: { busyMsPerMessage: number; hotSpots: HotSpot[] } };
  });
  long: BreakdownAt;
}

type ShortBreakdown = NonNullable<Breakdown["short"]>;

export interface Report {
  meta: { chromium: string; node: string; cpus: number; loadAverage1m: number; quick: boolean; date: string; messageBytes: number };
  cold: { runs: ColdRun[]; medianMs: number; maxMs: number; phasesMedian: ColdPhases };
  warm: Latency & {
    requested: number;
    /** The warm measurement of ours stopped at the budget before `requested` messages. */
    stoppedByBudget: boolean;
    budgetSec: number;
    messagesPerSec: number;
    /** Submit → the message shown in the log ("sending"). */
    shownP50: number;
    historyAtStart: number;
    historyAtEnd: number;
    byHistory: { from: number; to: number; p50: number; p99: number }[];
    cpu: CpuPerMessage;
  };
  baseline: Latency & { name: string; messagesPerSec: number };
  /** ours / baseline (lower is better; 1 would be the bare transport). */
  ratios: { betterIs: "lower"; p50: number; p99: number };
  goals: { coldUnder500ms: boolean; warmP50Under5ms: boolean; warmP99Under20ms: boolean };
  breakdown: Breakdown | null;
}

interface Pair {
  alice: Person;
  bob: Person;
}

const progress = (text: string) => process.stderr.write(`[chat] ${text}\n`);

const textOf = (tag: string) => {
  const head = `${tag} `;
  return head + "0123456789abcdefghijklmnopqrstuvwxyz".repeat(8).slice(0, MESSAGE_BYTES - head.length);
};

export async function runChatBench(opts: ChatBenchOptions = {}): Promise<Report> {
  const quick = opts.quick === true;
  const messages = opts.messages ?? (quick ? 200 : 1000);
  if (!Number.isInteger(messages) || messages <= 0) throw new Error("messages must be a positive integer");
  const coldRuns = Math.min(5, Math.max(1, opts.coldRuns ?? (quick ? 3 : 5)));
  const budgetSec = opts.budgetSec ?? (quick ? 90 : 300);
  const withBreakdown = opts.breakdown ?? true;

  progress("making sure the production build is current (scripts/start.ts --build-only)…");
  ensureBuild("stderr");
  progress("starting the app and two Chromium processes…");
  const world = await startWorld();
  try {
    const roots = [world.alice.server.process().pid!, world.bob.server.process().pid!];
    const chromium = world.alice.browser.version();

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
      runs.push({ ...result, phases: coldPhases(a, b, result.clickEpoch, result.delivered, MESSAGE_BYTES), requests: { alice: coldRequests(a, result.clickEpoch, result.delivered), bob: coldRequests(b, result.clickEpoch, result.delivered) } });
      progress(`cold ${i + 1}/${coldRuns}: ${fmt(result.delivered, 0)} ms (direct after ${fmt(result.direct, 0)} ms)`);
      // Two pairs stay: the last for the warm measurement, the one before for the breakdown.
      if (pairs.length > 2) await closePair(pairs.shift()!);
    }
    const measured = pairs.at(-1)!;
    const spare = pairs.length > 1 ? pairs[0]! : null;

    // ---- warm: ours and the baseline, alternating blocks
    await openConversation(measured);
    const offer = await measured.alice.page.evaluate(baselineOffer);
    const answer = await measured.bob.page.evaluate(baselineAnswer, offer);
    await measured.alice.page.evaluate(baselineConnect, answer);
    await measured.alice.page.evaluate(warmBlock, { count: 5, first: 0, size: MESSAGE_BYTES, tag: "warm-up", timeoutMs: 30_000 });
    await measured.alice.page.evaluate(baselineBlock, { count: 50, size: MESSAGE_BYTES, timeoutMs: 10_000 });
    await Promise.all([settle(measured.alice.page), settle(measured.bob.page)]);

    const ours: WarmResult[] = [];
    const base: { roundTrip: number[]; wallMs: number }[] = [];
    const cpuUses: CpuUse[] = [];
    const block = Math.min(50, messages);
    let sent = 0;
    let baseSent = 0;
    let stoppedByBudget = false;
    const started = performance.now();
    progress(`warm: ${messages} round trips of ours and of the baseline, in alternating blocks of ${block}${budgetSec > 0 ? ` (ours capped at ${budgetSec} s)` : ""}…`);
    while (sent < messages) {
      if (budgetSec > 0 && performance.now() - started > budgetSec * 1000) {
        stoppedByBudget = true;
        break;
      }
      const count = Math.min(block, messages - sent);
      const before = cpuSnapshot(roots);
      ours.push(await measured.alice.page.evaluate(warmBlock, { count, first: sent, size: MESSAGE_BYTES, tag: "m", timeoutMs: 60_000 }));
      cpuUses.push(cpuBetween(before, cpuSnapshot(roots)));
      sent += count;
      base.push(await measured.alice.page.evaluate(baselineBlock, { count, size: MESSAGE_BYTES, timeoutMs: 10_000 }));
      baseSent += count;
      const last = ours.at(-1)!;
      progress(`warm: ${sent}/${messages}, this block p50 ${fmt(latency(last.roundTrip).p50, 1)} ms (baseline ${fmt(latency(base.at(-1)!.roundTrip).p50, 2)} ms), ${last.itemsAfter} messages in the conversation`);
    }
    // The baseline always gets its full count (it is quick).
    while (baseSent < messages) {
      const count = Math.min(block, messages - baseSent);
      base.push(await measured.alice.page.evaluate(baselineBlock, { count, size: MESSAGE_BYTES, timeoutMs: 10_000 }));
      baseSent += count;
    }
    await measured.alice.page.evaluate(baselineClose);
    await measured.bob.page.evaluate(baselineClose);

    // ---- breakdown
    let breakdown: Breakdown | null = null;
    if (withBreakdown) {
      progress("breakdown with a long history: instrumented messages on the measured pair…");
      const long = await instrumentedBlock(measured, quick ? 10 : 20, roots);
      await closePair(measured);
      let short: ShortBreakdown | null = null;
      if (spare) {
        progress("breakdown with a short history: a fresh pair, instrumented messages, durability what-if, JS profile…");
        await openConversation(spare);
        await spare.alice.page.evaluate(warmBlock, { count: 5, first: 0, size: MESSAGE_BYTES, tag: "warm-up", timeoutMs: 30_000 });
        const at = await instrumentedBlock(spare, quick ? 20 : 40, roots);
        const profile = await profileBlock(spare, quick ? 10 : 20);
        const durability = await durabilityWhatIf(spare, quick ? 1 : 2, quick ? 8 : 10);
        short = { ...at, durability, profile };
        await closePair(spare);
      }
      if (!short) progress("no second pair (--cold-runs 1): no short-history breakdown");
      breakdown = { short, long };
    } else {
      await closePair(measured);
      if (spare) await closePair(spare);
    }

    // ---- figures
    const oursRt = ours.flatMap((w) => w.roundTrip);
    const baseRt = base.flatMap((b) => b.roundTrip);
    const warm = latency(oursRt);
    const baseline = latency(baseRt);
    const coldMs = runs.map((r) => r.delivered);
    const phaseKeys = Object.keys(runs[0]!.phases) as (keyof ColdPhases)[];
    const report: Report = {
      meta: { chromium, node: process.version, cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2), quick, date: new Date().toISOString(), messageBytes: MESSAGE_BYTES },
      cold: {
        runs: runs.map((r) => ({ ...r, open: round(r.open, 1), submit: round(r.submit, 1), shown: round(r.shown, 1), direct: round(r.direct, 1), delivered: round(r.delivered, 1) })),
        medianMs: round(median(coldMs), 1),
        maxMs: round(Math.max(...coldMs), 1),
        phasesMedian: Object.fromEntries(phaseKeys.map((k) => [k, round(median(runs.map((r) => r.phases[k])), 1)])) as unknown as ColdPhases,
      },
      warm: {
        ...warm,
        requested: messages,
        stoppedByBudget,
        budgetSec,
        messagesPerSec: round((1000 * oursRt.length) / ours.reduce((s, w) => s + w.wallMs, 0), 1),
        shownP50: latency(ours.flatMap((w) => w.shown)).p50,
        historyAtStart: ours.length ? ours[0]!.itemsAfter - ours[0]!.roundTrip.length : 0,
        historyAtEnd: ours.at(-1)?.itemsAfter ?? 0,
        byHistory: byHistory(ours, quick ? 50 : 100),
        cpu: cpuPerMessage(cpuUses, oursRt.length),
      },
      baseline: { ...baseline, name: BASELINE_NAME, messagesPerSec: round((1000 * baseRt.length) / base.reduce((s, b) => s + b.wallMs, 0), 1) },
      ratios: { betterIs: "lower", p50: round(warm.p50 / baseline.p50, 1), p99: round(warm.p99 / baseline.p99, 1) },
      goals: {
        coldUnder500ms: median(coldMs) < GOALS.coldMs,
        warmP50Under5ms: warm.p50 < GOALS.warmP50Ms,
        warmP99Under20ms: warm.p99 < GOALS.warmP99Ms,
      },
      breakdown,
    };
    if (opts.json) console.log(JSON.stringify(report));
    else printReport(report);
    return report;
  } finally {
    await world.close();
  }
}

async function closePair(pair: Pair): Promise<void> {
  await Promise.all([pair.alice.context.close().catch(() => undefined), pair.bob.context.close().catch(() => undefined)]);
}

/** Bob opens the conversation too (as when both people are chatting), and both see it "direct". */
async function openConversation(pair: Pair): Promise<void> {
  const { page } = pair.bob;
  await page.getByRole("navigation", { name: "Recent contacts" }).getByRole("button", { name: pair.alice.nickname }).click();
  await page.getByRole("heading", { name: pair.alice.nickname }).waitFor();
  for (const p of [pair.alice.page, pair.bob.page]) await p.locator('section[aria-label^="Conversation with"] strong[data-state="direct"]').waitFor({ timeout: 30_000 });
  await Promise.all([settle(pair.alice.page), settle(pair.bob.page)]);
}

async function cdpSessions(pair: Pair): Promise<[CDPSession, CDPSession]> {
  return Promise.all([pair.alice.context.newCDPSession(pair.alice.page), pair.bob.context.newCDPSession(pair.bob.page)]);
}

let tagCounter = 0;

/** `count` messages with the probe recording on both pages, and CDP main-thread metrics and CPU around them. */
async function instrumentedBlock(pair: Pair, count: number, roots: number[]): Promise<BreakdownAt> {
  const cdp = await cdpSessions(pair);
  await Promise.all(cdp.map((s) => s.send("Performance.enable")));
  await Promise.all([settle(pair.alice.page), settle(pair.bob.page)]);
  const metricsBefore = await Promise.all(cdp.map(readMetrics));
  await Promise.all([probe.start(pair.alice.page), probe.start(pair.bob.page)]);
  const before = cpuSnapshot(roots);
  const result = await pair.alice.page.evaluate(warmBlock, { count, first: 0, size: MESSAGE_BYTES, tag: `probe${tagCounter++}`, timeoutMs: 60_000 });
  const cpu = cpuBetween(before, cpuSnapshot(roots));
  const [a, b] = await Promise.all([probe.stop(pair.alice.page), probe.stop(pair.bob.page)]);
  const metricsAfter = await Promise.all(cdp.map(readMetrics));
  await Promise.all(cdp.map((s) => s.detach()));
  return {
    history: result.itemsAfter - count,
    stages: warmStages(a, b, result.submitEpoch, result.deliveredEpoch, MESSAGE_BYTES),
    mainThread: { alice: mainThreadPerMessage(metricsBefore[0]!, metricsAfter[0]!, count), bob: mainThreadPerMessage(metricsBefore[1]!, metricsAfter[1]!, count) },
    cpu: cpuPerMessage([cpu], count),
  };
}

/**
 * Blocks of `each` messages with the app's durability ("strict") and with
 * every read-write transaction forced to "relaxed", in ABBA order so that the
 * slow growth with history falls on both alike.
 */
async function durabilityWhatIf(pair: Pair, rounds: number, each: number): Promise<ShortBreakdown["durability"]> {
  const strict: number[] = [];
  const relaxed: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const relax of [false, true, true, false]) {
      await Promise.all([probe.start(pair.alice.page, relax), probe.start(pair.bob.page, relax)]);
      const result = await pair.alice.page.evaluate(warmBlock, { count: each, first: 0, size: MESSAGE_BYTES, tag: `dur${tagCounter++}`, timeoutMs: 60_000 });
      await Promise.all([probe.stop(pair.alice.page), probe.stop(pair.bob.page)]);
      (relax ? relaxed : strict).push(...result.roundTrip);
    }
  }
  const s = latency(strict);
  const x = latency(relaxed);
  return { messagesEach: strict.length, strictP50: s.p50, relaxedP50: x.p50, strictP90: s.p90, relaxedP90: x.p90 };
}

async function profileBlock(pair: Pair, count: number): Promise<ShortBreakdown["profile"]> {
  const cdp = await cdpSessions(pair);
  await Promise.all(cdp.map(startProfile));
  const result = await pair.alice.page.evaluate(warmBlock, { count, first: 0, size: MESSAGE_BYTES, tag: `prof${tagCounter++}`, timeoutMs: 60_000 });
  const [alice, bob] = await Promise.all(cdp.map((s) => stopProfile(s, count)));
  await Promise.all(cdp.map((s) => s.detach()));
  return { history: result.itemsAfter - count, alice: alice!, bob: bob! };
}

function cpuPerMessage(uses: CpuUse[], count: number): CpuPerMessage {
  const sum = (i: number) => {
    const out: Record<string, number> = {};
    for (const u of uses) for (const [type, ms] of Object.entries(u.chromiumMs[i] ?? {})) out[type] = (out[type] ?? 0) + ms;
    return Object.fromEntries(Object.entries(out).map(([type, ms]) => [type, round(ms / count, 1)]));
  };
  const wall = uses.reduce((s, u) => s + u.wallMs, 0);
  return {
    alice: sum(0),
    bob: sum(1),
    server: round(uses.reduce((s, u) => s + u.serverMs, 0) / count, 1),
    otherCpuPercent: round((100 * uses.reduce((s, u) => s + u.otherMs, 0)) / Math.max(1, wall), 1),
  };
}

function byHistory(blocks: WarmResult[], size: number): Report["warm"]["byHistory"] {
  const points: { history: number; rt: number }[] = [];
  for (const w of blocks) {
    const first = w.itemsAfter - w.roundTrip.length;
    w.roundTrip.forEach((rt, j) => points.push({ history: first + j, rt }));
  }
  const out: Report["warm"]["byHistory"] = [];
  for (let i = 0; i < points.length; i += size) {
    const slice = points.slice(i, i + size);
    const l = latency(slice.map((p) => p.rt));
    out.push({ from: slice[0]!.history, to: slice.at(-1)!.history, p50: l.p50, p99: l.p99 });
  }
  return out;
}

// ---------------------------------------------------------------- printing

const met = (ok: boolean) => (ok ? "met" : "NOT met");
const sumValues = (m: Record<string, number>) => Object.values(m).reduce((s, x) => s + x, 0);
const cpuText = (m: Record<string, number>) =>
  `${fmt(sumValues(m), 0)} ms (${Object.entries(m)
    .filter(([, ms]) => ms >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([type, ms]) => `${type} ${fmt(ms, 0)}`)
    .join(", ")})`;

function printBreakdownAt(lines: string[], title: string, at: BreakdownAt): void {
  const s = at.stages;
  lines.push(`  ${title}`);
  lines.push(`    round trip of the instrumented messages: median ${fmt(s.roundTripMs.median, 1)} ms, mean ${fmt(s.roundTripMs.mean, 1)} ms (${s.matched}/${s.messages} messages fully traced)`);
  lines.push(`    ${"stage".padEnd(58)} ${"median".padStart(8)} ${"mean".padStart(8)}   share of mean`);
  for (const [key, label] of Object.entries(STAGE_LABELS) as [keyof typeof STAGE_LABELS, string][]) {
    const v = s.stages[key];
    lines.push(`    ${label.padEnd(58)} ${fmt(v.median, 1).padStart(8)} ${fmt(v.mean, 1).padStart(8)}   ${fmt((100 * v.mean) / s.roundTripMs.mean, 0).padStart(4)} %`);
  }
  const idb = (m: Record<string, { count: number; medianMs: number }>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ×${fmt(v.count, 1)} (${fmt(v.medianMs, 1)} ms)`)
      .join("; ");
  lines.push(`    IndexedDB transactions per message, median creation → commit event (includes waiting for a busy main thread): alice ${idb(s.idbPerMessage.alice)}`);
  lines.push(`      bob ${idb(s.idbPerMessage.bob)}`);
  const http = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ×${fmt(v, 1)}`).join(", ") || "none";
  lines.push(`    requests to the server per message: alice ${http(s.httpPerMessage.alice)}; bob ${http(s.httpPerMessage.bob)}`);
  const mt = (m: MainThread) => `${fmt(m.task, 1)} ms busy (script ${fmt(m.script, 1)}, layout ${fmt(m.layout, 1)}, style ${fmt(m.style, 1)}, other ${fmt(m.other, 1)}), ${m.domNodes} DOM nodes`;
  lines.push(`    main thread per message: alice ${mt(at.mainThread.alice)}`);
  lines.push(`                             bob   ${mt(at.mainThread.bob)}`);
  lines.push(`    CPU per message: alice's Chromium ${cpuText(at.cpu.alice)}; bob's ${cpuText(at.cpu.bob)}; server ${fmt(at.cpu.server, 1)} ms`);
}

function printReport(r: Report): void {
  const lines: string[] = [];
  const w = r.warm;
  const b = r.baseline;
  lines.push(`Chat benchmark: Chromium ${r.meta.chromium} (headless, software rendering) on loopback, ${r.meta.cpus} CPUs, ${r.meta.messageBytes}-byte messages${r.meta.quick ? ", quick" : ""}`);
  lines.push(`  baseline: ${b.name}`);
  lines.push("");
  lines.push(`  cold: "Connect" → first message delivered (fresh pair each run)`);
  lines.push(`    runs (ms)             ${r.cold.runs.map((c) => fmt(c.delivered, 0)).join(", ")}`);
  lines.push(`    median / max          ${fmt(r.cold.medianMs, 0)} / ${fmt(r.cold.maxMs, 0)} ms      goal: median < ${GOALS.coldMs} ms  ${met(r.goals.coldUnder500ms)}`);
  const p = r.cold.phasesMedian;
  lines.push(
    `    phases (median ms)    click → offer sent ${fmt(p.clickToOffer, 0)} · offer → bob ${fmt(p.offerToBob, 0)} · bob answers ${fmt(p.bobAnswers, 0)} · answer → alice ${fmt(p.answerToAlice, 0)} · ICE+DTLS+SCTP ${fmt(p.iceDtlsSctp, 0)} · W-Ratchet handshake ${fmt(p.handshake, 0)} · message + ack ${fmt(p.messageAndAck, 0)}`,
  );
  const medianRun = [...r.cold.runs].sort((x, y) => x.delivered - y.delivered)[Math.floor((r.cold.runs.length - 1) / 2)]!;
  const requests = (list: ColdRequest[]) => list.map((q) => `${q.request} @${fmt(q.startMs, 0)} (${fmt(q.ms, 0)} ms)`).join(", ") || "none";
  lines.push(`    median run's requests to the server (@ms after the click, duration):`);
  lines.push(`      alice: ${requests(medianRun.requests.alice)}`);
  lines.push(`      bob:   ${requests(medianRun.requests.bob)}`);
  lines.push("");
  lines.push(`  warm: round trip of a message and its ack over the open channel (ms)`);
  lines.push(`    ${"".padEnd(10)} ${"n".padStart(6)} ${"p50".padStart(9)} ${"p90".padStart(9)} ${"p99".padStart(9)} ${"max".padStart(9)} ${"msg/s".padStart(9)}`);
  const row = (name: string, l: Latency, rate: number) =>
    `    ${name.padEnd(10)} ${String(l.count).padStart(6)} ${fmt(l.p50).padStart(9)} ${fmt(l.p90).padStart(9)} ${fmt(l.p99).padStart(9)} ${fmt(l.max).padStart(9)} ${fmt(rate, 1).padStart(9)}`;
  lines.push(row("ours", w, w.messagesPerSec));
  lines.push(row("baseline", b, b.messagesPerSec));
  lines.push(`    ours/baseline     ${`${fmt(r.ratios.p50, 1)}×`.padStart(9)} ${"".padStart(9)} ${`${fmt(r.ratios.p99, 1)}×`.padStart(9)}   (lower is better)`);
  lines.push(`    goals: p50 < ${GOALS.warmP50Ms} ms ${met(r.goals.warmP50Under5ms)} (${fmt(w.p50, 1)} ms); p99 < ${GOALS.warmP99Ms} ms ${met(r.goals.warmP99Under20ms)} (${fmt(w.p99, 1)} ms)`);
  if (w.stoppedByBudget) {
    lines.push(`    NOTE: ours stopped after ${w.count} of ${w.requested} messages (the ${w.budgetSec} s budget, --budget); its figures are over those ${w.count}.`);
    lines.push(`          Later messages would only be slower: every message re-renders the whole conversation (see "by history").`);
  }
  lines.push(`    submit → message shown ("sending"): p50 ${fmt(w.shownP50, 1)} ms`);
  lines.push(`    by history (messages already in the conversation): ${w.byHistory.map((h) => `${h.from}–${h.to}: p50 ${fmt(h.p50, 0)}, p99 ${fmt(h.p99, 0)}`).join(" | ")}`);
  lines.push(`    CPU per message: alice's Chromium ${cpuText(w.cpu.alice)}; bob's ${cpuText(w.cpu.bob)}; server ${fmt(w.cpu.server, 1)} ms; other processes ${fmt(w.cpu.otherCpuPercent, 0)} % of a core`);
  if (w.cpu.otherCpuPercent > 20) lines.push(`    NOTE: other processes used ${fmt(w.cpu.otherCpuPercent, 0)} % of a core during the warm measurement: the machine was shared and the figures are noisy.`);
  const bd = r.breakdown;
  if (bd) {
    lines.push("");
    lines.push(`  breakdown: where a warm round trip's time goes (in-page probe: IndexedDB, data channel, fetch, WebSocket; CDP metrics)`);
    const short = bd.short;
    if (short) {
      printBreakdownAt(lines, `short history (a fresh pair, ${short.history} messages in the conversation):`, short);
      const d = short.durability;
      lines.push(
        `    what-if IndexedDB durability "relaxed" (page-level override, not the app): p50 ${fmt(d.strictP50, 1)} → ${fmt(d.relaxedP50, 1)} ms, p90 ${fmt(d.strictP90, 1)} → ${fmt(d.relaxedP90, 1)} ms (${d.messagesEach} messages each, ABBA blocks)`,
      );
      for (const who of ["alice", "bob"] as const) {
        const prof = short.profile[who];
        lines.push(`    JS profile, ${who} (${short.profile.history} messages in the conversation; the sampling profiler slows the page): ${fmt(prof.busyMsPerMessage, 1)} ms busy per message; top self time per message:`);
        for (const h of prof.hotSpots.slice(0, 8)) lines.push(`      ${fmt(h.selfMs, 2).padStart(6)} ms  ${h.fn.padEnd(22)} ${h.where.padEnd(28)} ${h.code}`);
      }
    }
    printBreakdownAt(lines, `long history (the measured pair, ${bd.long.history} messages in the conversation):`, bd.long);
  }
  console.log(lines.join("\n"));
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
    else if (flag === "--cold-runs") opts.coldRuns = int(flag, argv[++i], 1);
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

