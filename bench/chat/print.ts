// The chat benchmark's report: its shape (also what --json prints) and the
// tables a person reads, each goal with ours, the baseline and the ratio.

import { STAGE_LABELS, type ColdPhases, type HandshakeSteps, type MainThread } from "./breakdown";
import type { ColdResult } from "./drive";
import type { BreakdownAt, CpuPerMessage } from "./instrumented";
import { fmt, type Latency } from "./stats";

export interface ColdRequest {
  request: string;
  startMs: number;
  ms: number;
}

export interface ColdRun extends ColdResult {
  phases: ColdPhases;
  handshake: HandshakeSteps;
  /** Each side's requests to the server during the connect (start in ms after the click, duration). */
  requests: { alice: ColdRequest[]; bob: ColdRequest[] };
}

export interface WarmAt {
  label: string;
  /** Messages in alice's history of the conversation (IndexedDB) before the first measured message. */
  totalAtStart: number;
  ours: Latency;
  baseline: Latency;
  /** ours / baseline (lower is better; 1 would be the bare transport). */
  ratios: { p50: number; p99: number };
  requested: number;
  stoppedByBudget: boolean;
  budgetSec: number;
  messagesPerSec: number;
  baselineMessagesPerSec: number;
  /** Submit → the message shown in the log ("sending"). */
  shownP50: number;
  /** Messages loaded in the page (its newest page of history, then the ones sent, the oldest let go past 500) before the first and after the last measured message. */
  loadedAtStart: number;
  loadedAtEnd: number;
  byHistory: { from: number; to: number; p50: number; p99: number }[];
  cpu: CpuPerMessage;
  /** The bare channel's own setup between the same pages, ms. */
  coldBaselineMs: { offer: number; answer: number; connect: number; firstEcho: number; total: number };
}

export interface Report {
  meta: { chromium: string; node: string; cpus: number; loadAverage1m: number; quick: boolean; date: string; messageBytes: number; baseline: string };
  cold: {
    runs: ColdRun[];
    medianMs: number;
    maxMs: number;
    phasesMedian: ColdPhases;
    handshakeMedian: HandshakeSteps;
    baselineMs: WarmAt["coldBaselineMs"];
    /** ours (median) / the bare channel's setup. */
    ratio: number;
  };
  warm: { short: WarmAt; long: WarmAt };
  memory: {
    /** Messages in the open conversation's history. */
    history: number;
    seedMs: number;
    /** Click on the contact → first message shown, after a fresh page load. */
    openMs: number;
    openedHeapMb: number;
    scrolledBack: number;
    scrolledHeapMb: number;
    /** Message rows in the DOM after scrolling back. */
    domRows: number;
    /** The same kind of page (the no-history pair's alice) with a short history. */
    shortHistoryHeapMb: number;
    shortHistory: number;
  };
  goals: {
    coldUnder500ms: boolean;
    warmP50Under5msNoHistory: boolean;
    warmP99Under20msNoHistory: boolean;
    warmP50Under5msLongHistory: boolean;
    warmP99Under20msLongHistory: boolean;
    heapUnder150MbLongHistory: boolean;
  };
  breakdown: { short: BreakdownAt; long: BreakdownAt | null } | null;
}

const met = (ok: boolean) => (ok ? "met" : "NOT met");
const sumValues = (m: Record<string, number>) => Object.values(m).reduce((s, x) => s + x, 0);
const cpuText = (m: Record<string, number>) =>
  `${fmt(sumValues(m), 0)} ms (${Object.entries(m)
    .filter(([, ms]) => ms >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([type, ms]) => `${type} ${fmt(ms, 0)}`)
    .join(", ")})`;

function printWarm(lines: string[], w: WarmAt, goals: { warmP50Ms: number; warmP99Ms: number }): void {
  lines.push(
    `  warm, ${w.label}: round trip of a message and its ack over the open channel (ms); ${w.totalAtStart.toLocaleString("en-US")} → ${(w.totalAtStart + w.ours.count).toLocaleString("en-US")} messages in the conversation, ${w.loadedAtStart.toLocaleString("en-US")} → ${w.loadedAtEnd.toLocaleString("en-US")} of them loaded in the page`,
  );
  lines.push(`    ${"".padEnd(10)} ${"n".padStart(6)} ${"p50".padStart(9)} ${"p90".padStart(9)} ${"p99".padStart(9)} ${"max".padStart(9)} ${"msg/s".padStart(9)}`);
  const row = (name: string, l: Latency, rate: number) =>
    `    ${name.padEnd(10)} ${String(l.count).padStart(6)} ${fmt(l.p50).padStart(9)} ${fmt(l.p90).padStart(9)} ${fmt(l.p99).padStart(9)} ${fmt(l.max).padStart(9)} ${fmt(rate, 1).padStart(9)}`;
  lines.push(row("ours", w.ours, w.messagesPerSec));
  lines.push(row("baseline", w.baseline, w.baselineMessagesPerSec));
  lines.push(`    ours/baseline     ${`${fmt(w.ratios.p50, 1)}×`.padStart(9)} ${"".padStart(9)} ${`${fmt(w.ratios.p99, 1)}×`.padStart(9)}   (lower is better)`);
  lines.push(`    goals: p50 < ${goals.warmP50Ms} ms ${met(w.ours.p50 < goals.warmP50Ms)} (${fmt(w.ours.p50, 1)} ms); p99 < ${goals.warmP99Ms} ms ${met(w.ours.p99 < goals.warmP99Ms)} (${fmt(w.ours.p99, 1)} ms)`);
  if (w.stoppedByBudget) lines.push(`    NOTE: ours stopped after ${w.ours.count} of ${w.requested} messages (the ${w.budgetSec} s budget, --budget); its figures are over those.`);
  lines.push(`    submit → message shown ("sending"): p50 ${fmt(w.shownP50, 1)} ms`);
  lines.push(`    by messages in the conversation: ${w.byHistory.map((h) => `${h.from}–${h.to}: p50 ${fmt(h.p50, 1)}, p99 ${fmt(h.p99, 1)}`).join(" | ")}`);
  lines.push(`    CPU per message: alice's Chromium ${cpuText(w.cpu.alice)}; bob's ${cpuText(w.cpu.bob)}; server ${fmt(w.cpu.server, 1)} ms; other processes ${fmt(w.cpu.otherCpuPercent, 0)} % of a core`);
  if (w.cpu.otherCpuPercent > 20) lines.push(`    NOTE: other processes used ${fmt(w.cpu.otherCpuPercent, 0)} % of a core meanwhile: the machine was shared and the figures are noisy.`);
}

function printBreakdownAt(lines: string[], title: string, at: BreakdownAt): void {
  const s = at.stages;
  lines.push(`  ${title}`);
  lines.push(`    round trip of the instrumented messages: median ${fmt(s.roundTripMs.median, 1)} ms, mean ${fmt(s.roundTripMs.mean, 1)} ms (${s.matched}/${s.messages} messages fully traced)`);
  lines.push(`    ${"stage".padEnd(58)} ${"median".padStart(8)} ${"mean".padStart(8)}   share of mean`);
  for (const [key, label] of Object.entries(STAGE_LABELS) as [keyof typeof STAGE_LABELS, string][]) {
    const v = s.stages[key];
    lines.push(`    ${label.padEnd(58)} ${fmt(v.median, 1).padStart(8)} ${fmt(v.mean, 1).padStart(8)}   ${fmt((100 * v.mean) / s.roundTripMs.mean, 0).padStart(4)} %`);
  }
  lines.push(`    beside the path: alice's outbox + history write (strict), creation → commit: median ${fmt(s.outboxWrite.median, 1)} ms, mean ${fmt(s.outboxWrite.mean, 1)} ms`);
  const idb = (m: Record<string, { count: number; medianMs: number }>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ×${fmt(v.count, 1)} (${fmt(v.medianMs, 1)} ms)`)
      .join("; ");
  lines.push(`    IndexedDB transactions per message, median creation → commit event: alice ${idb(s.idbPerMessage.alice)}`);
  lines.push(`      bob ${idb(s.idbPerMessage.bob)}`);
  const http = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ×${fmt(v, 1)}`).join(", ") || "none";
  lines.push(`    requests to the server per message: alice ${http(s.httpPerMessage.alice)}; bob ${http(s.httpPerMessage.bob)}`);
  const mt = (m: MainThread) => `${fmt(m.task, 1)} ms busy (script ${fmt(m.script, 1)}, layout ${fmt(m.layout, 1)}, style ${fmt(m.style, 1)}, other ${fmt(m.other, 1)}), ${m.domNodes} DOM nodes`;
  lines.push(`    main thread per message: alice ${mt(at.mainThread.alice)}`);
  lines.push(`                             bob   ${mt(at.mainThread.bob)}`);
  lines.push(`    CPU per message: alice's Chromium ${cpuText(at.cpu.alice)}; bob's ${cpuText(at.cpu.bob)}; server ${fmt(at.cpu.server, 1)} ms`);
  if (at.durability) {
    const d = at.durability;
    lines.push(`    what-if IndexedDB durability "relaxed" everywhere (page-level override, not the app): p50 ${fmt(d.appP50, 1)} → ${fmt(d.relaxedP50, 1)} ms, p90 ${fmt(d.appP90, 1)} → ${fmt(d.relaxedP90, 1)} ms (${d.messagesEach} messages each, ABBA blocks)`);
  }
  if (at.profile) {
    for (const who of ["alice", "bob"] as const) {
      const prof = at.profile[who];
      lines.push(`    JS profile, ${who} (the sampling profiler slows the page): ${fmt(prof.busyMsPerMessage, 1)} ms busy per message; top self time per message:`);
      for (const h of prof.hotSpots.slice(0, 8)) lines.push(`      ${fmt(h.selfMs, 2).padStart(6)} ms  ${h.fn.padEnd(22)} ${h.where.padEnd(28)} ${h.code}`);
      lines.push(`      by shipped chunk: ${prof.byScript.map((c) => `${c.script} ${fmt(c.ms, 2)} ms [${c.top.slice(0, 40)}]`).join("; ")}`);
    }
  }
}

export function printReport(r: Report, goals: { coldMs: number; warmP50Ms: number; warmP99Ms: number; heapMb: number }): void {
  const lines: string[] = [];
  lines.push(`Chat benchmark: Chromium ${r.meta.chromium} (headless) on loopback, ${r.meta.cpus} CPUs (load ${r.meta.loadAverage1m}), ${r.meta.messageBytes}-byte messages${r.meta.quick ? ", quick" : ""}`);
  lines.push(`  baseline: ${r.meta.baseline}`);
  lines.push("");
  const c = r.cold;
  lines.push(`  cold: "Connect" → first message delivered (fresh pair each run)`);
  lines.push(`    runs (ms)             ${c.runs.map((x) => fmt(x.delivered, 0)).join(", ")}`);
  lines.push(`    ours median / max     ${fmt(c.medianMs, 0)} / ${fmt(c.maxMs, 0)} ms      goal: median < ${goals.coldMs} ms  ${met(r.goals.coldUnder500ms)}`);
  const b = c.baselineMs;
  lines.push(`    baseline              ${fmt(b.total, 0)} ms (offer ${fmt(b.offer, 0)}, answer ${fmt(b.answer, 0)}, ICE+DTLS+SCTP ${fmt(b.connect, 0)}, first echo ${fmt(b.firstEcho, 1)})   ours/baseline ${fmt(c.ratio, 1)}×`);
  const p = c.phasesMedian;
  lines.push(`    phases (median ms)    ${"click → offer sent".padEnd(44)} ${fmt(p.clickToOffer, 0).padStart(6)}`);
  for (const [label, v] of [
    ["offer → bob", p.offerToBob],
    ["bob answers", p.bobAnswers],
    ["answer → alice", p.answerToAlice],
    ["ICE+DTLS+SCTP", p.iceDtlsSctp],
    ["W-Ratchet handshake (open → message out)", p.handshake],
    ["message + ack", p.messageAndAck],
  ] as const)
    lines.push(`                          ${label.padEnd(44)} ${fmt(v, 0).padStart(6)}`);
  const h = c.handshakeMedian;
  lines.push(
    `    handshake steps (median ms): alice open → hello out ${fmt(h.aliceHello, 1)} · bob open → hello out ${fmt(h.bobHello, 1)} · alice hello in → auth out ${fmt(h.aliceAuth, 1)} · bob hello in → auth out ${fmt(h.bobAuth, 1)} · alice auth in → message out ${fmt(h.aliceFirstMessage, 1)}`,
  );
  const medianRun = [...c.runs].sort((x, y) => x.delivered - y.delivered)[Math.floor((c.runs.length - 1) / 2)]!;
  const requests = (list: ColdRequest[]) => list.map((q) => `${q.request} @${fmt(q.startMs, 0)} (${fmt(q.ms, 0)} ms)`).join(", ") || "none";
  lines.push(`    median run's requests to the server (@ms after the click, duration):`);
  lines.push(`      alice: ${requests(medianRun.requests.alice)}`);
  lines.push(`      bob:   ${requests(medianRun.requests.bob)}`);
  lines.push("");
  printWarm(lines, r.warm.short, goals);
  lines.push("");
  printWarm(lines, r.warm.long, goals);
  lines.push("");
  const m = r.memory;
  lines.push(`  memory: alice's page, JS heap after a full GC`);
  lines.push(`    ${m.history.toLocaleString("en-US")} messages in the open conversation: ${fmt(m.openedHeapMb, 1)} MB once opened (opened in ${m.openMs} ms after a fresh load)   goal < ${goals.heapMb} MB  ${met(r.goals.heapUnder150MbLongHistory)}`);
  lines.push(`    after scrolling back through ${m.scrolledBack.toLocaleString("en-US")} of them: ${fmt(m.scrolledHeapMb, 1)} MB, ${m.domRows} message rows in the DOM`);
  lines.push(`    baseline: the same kind of page with ${m.shortHistory.toLocaleString("en-US")} messages: ${fmt(m.shortHistoryHeapMb, 1)} MB   ratio ${fmt(m.openedHeapMb / m.shortHistoryHeapMb, 2)}×`);
  const bd = r.breakdown;
  if (bd) {
    lines.push("");
    lines.push(`  breakdown: where a warm round trip's time goes (in-page probe: IndexedDB, data channel, fetch, WebSocket; CDP metrics)`);
    printBreakdownAt(lines, `no history before the run (${(r.warm.short.totalAtStart + r.warm.short.ours.count).toLocaleString("en-US")} messages in the conversation, all sent in this run; ${bd.short.history} loaded in the page):`, bd.short);
    if (bd.long) printBreakdownAt(lines, `long history (${(r.warm.long.totalAtStart + r.warm.long.ours.count).toLocaleString("en-US")} messages in the conversation, ${bd.long.history} of them loaded in the page):`, bd.long);
  }
  console.log(lines.join("\n"));
}
