// Where a warm round trip's time goes: messages sent with the in-page probe
// recording on both pages (bench/chat/probe.ts), CDP main-thread metrics and
// CPU around them; optionally a sampled JS profile and the IndexedDB
// durability what-if.

import type { CDPSession } from "playwright-core";
import type { Person } from "../../__tests__/e2e/support/people";
import { mainThreadPerMessage, readMetrics, startProfile, stopProfile, warmStages, type HotSpot, type MainThread, type WarmStageReport } from "./breakdown";
import { cpuBetween, cpuSnapshot, type CpuUse } from "./cpu";
import { warmBlock } from "./drive";
import { probe, settle } from "./session";
import { latency, round } from "./stats";

const MESSAGE_BYTES = 256;

export interface Pair {
  alice: Person;
  bob: Person;
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
  /** Messages loaded in the page after the instrumented messages (the newest page of history and the messages sent since, at most 500). */
  history: number;
  stages: WarmStageReport;
  mainThread: { alice: MainThread; bob: MainThread };
  cpu: CpuPerMessage;
  /** What-if: every read-write IndexedDB transaction forced to durability "relaxed", blocks alternating with the app's own. */
  durability?: { messagesEach: number; appP50: number; relaxedP50: number; appP90: number; relaxedP90: number };
  /** Sampled JS profile, self time per message. */
  profile?: { alice: Profile; bob: Profile };
}

type Profile = { busyMsPerMessage: number; hotSpots: HotSpot[]; byScript: { script: string; ms: number; top: string }[] };

let tagCounter = 0;

const cdpSessions = (pair: Pair): Promise<[CDPSession, CDPSession]> => Promise.all([pair.alice.context.newCDPSession(pair.alice.page), pair.bob.context.newCDPSession(pair.bob.page)]);

/** `count` messages with the probe recording on both pages, and CDP main-thread metrics and CPU around them. */
export async function instrumentedBlock(pair: Pair, count: number, roots: number[], extra: { profile?: number; durability?: { rounds: number; each: number } } = {}): Promise<BreakdownAt> {
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
    history: result.loadedAfter,
    stages: warmStages(a, b, result.submitEpoch, result.deliveredEpoch, MESSAGE_BYTES),
    mainThread: { alice: mainThreadPerMessage(metricsBefore[0]!, metricsAfter[0]!, count), bob: mainThreadPerMessage(metricsBefore[1]!, metricsAfter[1]!, count) },
    cpu: cpuPerMessage([cpu], count),
    ...(extra.profile ? { profile: await profileBlock(pair, extra.profile) } : {}),
    ...(extra.durability ? { durability: await durabilityWhatIf(pair, extra.durability.rounds, extra.durability.each) } : {}),
  };
}

/**
 * Blocks of `each` messages with the app's durability and with every
 * read-write transaction forced to "relaxed", in ABBA order so that any slow
 * drift falls on both alike.
 */
async function durabilityWhatIf(pair: Pair, rounds: number, each: number): Promise<NonNullable<BreakdownAt["durability"]>> {
  const app: number[] = [];
  const relaxed: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const relax of [false, true, true, false]) {
      await Promise.all([probe.start(pair.alice.page, relax), probe.start(pair.bob.page, relax)]);
      const result = await pair.alice.page.evaluate(warmBlock, { count: each, first: 0, size: MESSAGE_BYTES, tag: `dur${tagCounter++}`, timeoutMs: 60_000 });
      await Promise.all([probe.stop(pair.alice.page), probe.stop(pair.bob.page)]);
      (relax ? relaxed : app).push(...result.roundTrip);
    }
  }
  const s = latency(app);
  const x = latency(relaxed);
  return { messagesEach: app.length, appP50: s.p50, relaxedP50: x.p50, appP90: s.p90, relaxedP90: x.p90 };
}

async function profileBlock(pair: Pair, count: number): Promise<NonNullable<BreakdownAt["profile"]>> {
  const cdp = await cdpSessions(pair);
  await Promise.all(cdp.map(startProfile));
  await pair.alice.page.evaluate(warmBlock, { count, first: 0, size: MESSAGE_BYTES, tag: `prof${tagCounter++}`, timeoutMs: 60_000 });
  const [alice, bob] = await Promise.all(cdp.map((s) => stopProfile(s, count)));
  await Promise.all(cdp.map((s) => s.detach()));
  return { alice: alice!, bob: bob! };
}

export function cpuPerMessage(uses: CpuUse[], count: number): CpuPerMessage {
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
