// Where the time goes: the probe's records (bench/chat/probe.ts) turned into
// phases of a cold connect and stages of a warm round trip, plus the page's
// main-thread time (CDP Performance metrics) and a sampled JS profile (CDP
// Profiler) whose hottest functions are located in the app's shipped bundle.

import type { CDPSession } from "playwright-core";
import type { ProbeEvent, ProbeTx } from "./probe";
import { median, round } from "./stats";

export interface ProbeRecords {
  events: ProbeEvent[];
  txs: ProbeTx[];
}

const SIGNAL_OFFER = "POST /api/signal offer";
const PRODUCT_CHANNEL = "communisp";

// ---------------------------------------------------------------- cold

/** A cold connect cut into consecutive phases (ms); they add up to the total. */
export interface ColdPhases {
  /** UI, nickname and key lookups (HTTP + IndexedDB), presence, RTCPeerConnection and offer, until the offer is POSTed. */
  clickToOffer: number;
  /** POST /api/signal, server, WebSocket push, until bob's page has the offer. */
  offerToBob: number;
  /** Bob: new connection, remote/local description, until the answer is POSTed. */
  bobAnswers: number;
  /** The answer through the server to alice. */
  answerToAlice: number;
  /** ICE checks, DTLS, SCTP: until alice's data channel opens. */
  iceDtlsSctp: number;
  /** The W-Ratchet handshake over the channel (hello, key check against the server's listing, auth), until the message goes out. */
  handshake: number;
  /** The message encrypted, sent, stored by bob, acknowledged, shown as delivered. */
  messageAndAck: number;
}

export function coldPhases(alice: ProbeRecords, bob: ProbeRecords, clickEpoch: number, deliveredMs: number, messageBytes: number): ColdPhases {
  const first = (records: ProbeRecords, kind: string, match: (detail: string, bytes: number) => boolean) =>
    records.events.find((e) => e[1] === kind && match(e[2], e[3]))?.[0] ?? Number.NaN;
  const offerPost = first(alice, "fetch:start", (d) => d === SIGNAL_OFFER);
  const offerAtBob = first(bob, "ws:in", (d) => d === "signal offer");
  const answerPost = first(bob, "fetch:start", (d) => d === "POST /api/signal answer");
  const answerAtAlice = first(alice, "ws:in", (d) => d === "signal answer");
  const open = first(alice, "dc:open", (d) => d === PRODUCT_CHANNEL);
  const chatOut = first(alice, "dc:out", (d, bytes) => d === PRODUCT_CHANNEL && bytes >= messageBytes);
  const delivered = clickEpoch + deliveredMs;
  return {
    clickToOffer: round(offerPost - clickEpoch, 1),
    offerToBob: round(offerAtBob - offerPost, 1),
    bobAnswers: round(answerPost - offerAtBob, 1),
    answerToAlice: round(answerAtAlice - answerPost, 1),
    iceDtlsSctp: round(open - answerAtAlice, 1),
    handshake: round(chatOut - open, 1),
    messageAndAck: round(delivered - chatOut, 1),
  };
}

/**
 * Where the W-Ratchet handshake's time goes, from the data channel's traffic
 * on both pages (ms): each side's hello leaves after its channel opens, each
 * side's auth leaves after the other's hello arrives, and alice's first
 * message leaves after bob's auth arrives. Alice's and bob's steps overlap.
 */
export interface HandshakeSteps {
  /** Alice: channel open → her hello on the wire (ephemeral key, signature). */
  aliceHello: number;
  /** Bob: channel open → his hello on the wire. */
  bobHello: number;
  /** Alice: bob's hello arrived → her auth on the wire (the expected key, verification, DH). */
  aliceAuth: number;
  /** Bob: alice's hello arrived → his auth on the wire. */
  bobAuth: number;
  /** Alice: bob's auth arrived → her first message on the wire (session, ready, outbox read, encryption). */
  aliceFirstMessage: number;
}

export function handshakeSteps(alice: ProbeRecords, bob: ProbeRecords, messageBytes: number): HandshakeSteps {
  const on = (records: ProbeRecords, kind: string) => records.events.filter((e) => e[1] === kind && e[2] === PRODUCT_CHANNEL).map((e) => e[0]);
  const [aOpen] = on(alice, "dc:open");
  const [bOpen] = on(bob, "dc:open");
  const after = (list: number[], from: number | undefined) => list.filter((t) => from !== undefined && t >= from);
  const aOut = after(on(alice, "dc:out"), aOpen);
  const aIn = after(on(alice, "dc:in"), aOpen);
  const bOut = after(on(bob, "dc:out"), bOpen);
  const bIn = after(on(bob, "dc:in"), bOpen);
  const chatOut = alice.events.find((e) => e[1] === "dc:out" && e[2] === PRODUCT_CHANNEL && e[3] >= messageBytes)?.[0] ?? Number.NaN;
  const d = (to: number | undefined, from: number | undefined) => round((to ?? Number.NaN) - (from ?? Number.NaN), 1);
  return {
    aliceHello: d(aOut[0], aOpen),
    bobHello: d(bOut[0], bOpen),
    aliceAuth: d(aOut[1], aIn[0]),
    bobAuth: d(bOut[1], bIn[0]),
    aliceFirstMessage: d(chatOut, aIn[1]),
  };
}

/** A page's requests to the server between the click and the delivered message: "METHOD path", start (ms after the click) and duration. */
export function coldRequests(records: ProbeRecords, clickEpoch: number, deliveredMs: number): { request: string; startMs: number; ms: number }[] {
  const out: { request: string; startMs: number; ms: number }[] = [];
  const ends = records.events.filter((e) => e[1] === "fetch:end");
  for (const start of records.events) {
    if (start[1] !== "fetch:start" || start[0] - clickEpoch > deliveredMs) continue;
    const endIndex = ends.findIndex((e) => e[2].startsWith(`${start[2]} `) && e[0] >= start[0]);
    const end = endIndex >= 0 ? ends.splice(endIndex, 1)[0]![0] : Number.NaN;
    out.push({ request: start[2], startMs: round(start[0] - clickEpoch, 1), ms: round(end - start[0], 1) });
  }
  return out;
}

// ---------------------------------------------------------------- warm

/**
 * One warm round trip cut into consecutive stages (ms). Alice's stages are on
 * her clock, bob's on his; `transit` is what is left of "alice sent → ack
 * arrived" once bob's own time is taken out: both passages through the
 * WebRTC stack plus any wait for a busy main thread to take the message.
 * Alice's outbox write runs beside the send, off this path: it is reported
 * on its own (`outboxWrite`).
 */
export interface WarmStages {
  /** Alice: submit handler, checks, the outbox write started, encryption, until the bytes go to the data channel. */
  aToWire: number;
  /** Both directions through WebRTC, and waiting for the receiving main thread. */
  transit: number;
  /** Bob: decrypt, parse, until the seen + history write starts. */
  bDecrypt: number;
  /** Bob: the IndexedDB transaction storing the message once (durability "strict"). */
  bStoreTx: number;
  /** Bob: encrypt the ack, until it goes to the data channel. */
  bAck: number;
  /** Alice: decrypt the ack, "delivered" published, until the outbox update starts. */
  aAckDecrypt: number;
  /** Alice: React renders the row, until the status reads "delivered" in the DOM. */
  aRender: number;
}

export const STAGE_LABELS: Record<keyof WarmStages, string> = {
  aToWire: "alice: submit → checks, outbox write started, encrypt → wire",
  transit: "WebRTC both ways + waiting for a busy main thread",
  bDecrypt: "bob: decrypt + parse → store starts",
  bStoreTx: "bob: IndexedDB seen+history write (strict)",
  bAck: "bob: encrypt ack → wire",
  aAckDecrypt: "alice: decrypt ack → 'delivered' published",
  aRender: "alice: React renders the row → 'delivered' in DOM",
};

export interface WarmStageReport {
  messages: number;
  /** Messages whose every stage was found in the records. */
  matched: number;
  roundTripMs: { median: number; mean: number };
  /** Median and mean of each stage over the matched messages (the means add up to the mean round trip). */
  stages: Record<keyof WarmStages, { median: number; mean: number }>;
  /** Alice's outbox + history write, creation to commit: beside the round trip, not in it. */
  outboxWrite: { median: number; mean: number };
  /** IndexedDB transactions per message, by "stores mode", each with its median duration (creation to commit event). */
  idbPerMessage: { alice: Record<string, { count: number; medianMs: number }>; bob: Record<string, { count: number; medianMs: number }> };
  /** Requests to the server per message. */
  httpPerMessage: { alice: Record<string, number>; bob: Record<string, number> };
}

export function warmStages(alice: ProbeRecords, bob: ProbeRecords, submitEpoch: number[], deliveredEpoch: number[], messageBytes: number): WarmStageReport {
  const aOut = alice.events.filter((e) => e[1] === "dc:out" && e[2] === PRODUCT_CHANNEL);
  const aIn = alice.events.filter((e) => e[1] === "dc:in" && e[2] === PRODUCT_CHANNEL);
  const bIn = bob.events.filter((e) => e[1] === "dc:in" && e[2] === PRODUCT_CHANNEL);
  const bOut = bob.events.filter((e) => e[1] === "dc:out" && e[2] === PRODUCT_CHANNEL);
  const aRw = alice.txs.filter((t) => t[0] === "outbox+messages" && t[1] === "readwrite");
  const bStore = bob.txs.filter((t) => t[0] === "seen+messages" && t[1] === "readwrite");
  const bChats = bIn.filter((e) => e[3] >= messageBytes);

  const samples: WarmStages[] = [];
  const totals: number[] = [];
  const outbox: number[] = [];
  for (let i = 0; i < submitEpoch.length; i++) {
    const t0 = submitEpoch[i]!;
    const t1 = deliveredEpoch[i]!;
    const chatOut = aOut.find((e) => e[0] >= t0 && e[0] <= t1 && e[3] >= messageBytes);
    if (!chatOut) continue;
    // The outbox write is created before the message leaves; the ack's update after the ack arrived.
    const enqueue = aRw.find((t) => t[3] >= t0 && t[3] <= chatOut[0]);
    if (enqueue?.[4]) outbox.push(enqueue[4] - enqueue[3]);
    const ackTx = aRw.find((t) => t[3] > chatOut[0] && t[3] <= t1 + 50);
    // Bob's copy of this message: the first chat-sized arrival after alice sent it.
    const chatIn = bChats.find((e) => e[0] >= chatOut[0] - 2);
    if (!ackTx || !chatIn) continue;
    // The ack is the last message in before the update starts (a rekey may come first).
    const ackIn = aIn.filter((e) => e[0] >= chatOut[0] && e[0] <= ackTx[3]).at(-1);
    const store = bStore.find((t) => t[3] >= chatIn[0]);
    if (!ackIn || !store || !store[4]) continue;
    const ackOut = bOut.find((e) => e[0] >= store[4]);
    if (!ackOut) continue;
    const bobTotal = ackOut[0] - chatIn[0];
    samples.push({
      aToWire: chatOut[0] - t0,
      transit: ackIn[0] - chatOut[0] - bobTotal,
      bDecrypt: store[3] - chatIn[0],
      bStoreTx: store[4] - store[3],
      bAck: ackOut[0] - store[4],
      aAckDecrypt: ackTx[3] - ackIn[0],
      aRender: t1 - ackTx[3],
    });
    totals.push(t1 - t0);
  }

  const keys = Object.keys(STAGE_LABELS) as (keyof WarmStages)[];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const stages = Object.fromEntries(keys.map((k) => [k, { median: round(median(samples.map((s) => s[k])), 2), mean: round(mean(samples.map((s) => s[k])), 2) }])) as WarmStageReport["stages"];

  const n = submitEpoch.length;
  const idb = (records: ProbeRecords) => {
    const groups = new Map<string, number[]>();
    for (const t of records.txs) {
      const key = `${t[0]} ${t[1]}`;
      groups.set(key, [...(groups.get(key) ?? []), t[4] ? t[4] - t[3] : Number.NaN]);
    }
    return Object.fromEntries([...groups].sort((a, b) => b[1].length - a[1].length).map(([k, ds]) => [k, { count: round(ds.length / n, 2), medianMs: round(median(ds.filter(Number.isFinite)), 2) }]));
  };
  const http = (records: ProbeRecords) => {
    const counts = new Map<string, number>();
    for (const e of records.events) if (e[1] === "fetch:start") counts.set(e[2], (counts.get(e[2]) ?? 0) + 1);
    return Object.fromEntries([...counts].map(([k, c]) => [k, round(c / n, 2)]));
  };
  return {
    messages: n,
    matched: samples.length,
    roundTripMs: { median: round(median(totals), 2), mean: round(mean(totals), 2) },
    stages,
    outboxWrite: { median: round(median(outbox), 2), mean: round(mean(outbox), 2) },
    idbPerMessage: { alice: idb(alice), bob: idb(bob) },
    httpPerMessage: { alice: http(alice), bob: http(bob) },
  };
}

// ---------------------------------------------------------------- main thread

/** Main-thread time of one page, ms per message, from CDP Performance metrics. */
export interface MainThread {
  task: number;
  script: number;
  layout: number;
  style: number;
  /** Task time that is neither script, layout nor style: IPC, IndexedDB callbacks, paint, GC... */
  other: number;
  domNodes: number;
}

export async function readMetrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

export function mainThreadPerMessage(before: Record<string, number>, after: Record<string, number>, messages: number): MainThread {
  const d = (k: string) => round((((after[k] ?? 0) - (before[k] ?? 0)) * 1000) / messages, 2);
  return { task: d("TaskDuration"), script: d("ScriptDuration"), layout: d("LayoutDuration"), style: d("RecalcStyleDuration"), other: d("TaskOtherDuration"), domNodes: after.Nodes ?? 0 };
}

// ---------------------------------------------------------------- JS profile

export interface HotSpot {
  /** Self time per message, ms. */
  selfMs: number;
  /** Function name as profiled (minified in the app's bundle), or the browser built-in. */
  fn: string;
  /** chunk:line:column in the shipped bundle. */
  where: string;
  /** The bundle's source text at that place, to recognise the code. */
  code: string;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
}

export async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 250 });
  await cdp.send("Profiler.start");
}

/** Stops the profiler; the `top` functions by self time, per message, with the page's own source text at each. */
export async function stopProfile(cdp: CDPSession, messages: number, top = 12): Promise<{ busyMsPerMessage: number; hotSpots: HotSpot[]; byScript: { script: string; ms: number; top: string }[] }> {
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  await cdp.send("Profiler.disable");
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { us: number; node: ProfileNode }>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName !== "(idle)") busyUs += us;
    const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`;
    const entry = selfUs.get(key) ?? { us: 0, node };
    entry.us += us;
    selfUs.set(key, entry);
  });
  const hot = [...selfUs.values()]
    .filter((e) => e.node.callFrame.functionName !== "(idle)")
    .sort((a, b) => b.us - a.us)
    .slice(0, top);
  // The source as the page loaded it (the build on disk may have changed since).
  const sources = new Map<string, string[]>();
  await cdp.send("Debugger.enable");
  for (const { node } of hot) {
    const { scriptId, url } = node.callFrame;
    if (!url.includes("/_next/") || sources.has(scriptId)) continue;
    const { scriptSource } = (await cdp.send("Debugger.getScriptSource", { scriptId }).catch(() => ({ scriptSource: "" }))) as { scriptSource: string };
    sources.set(scriptId, scriptSource.split("\n"));
  }
  await cdp.send("Debugger.disable");
  const hotSpots = hot.map(({ us, node }) => {
    const { functionName, scriptId, url, lineNumber, columnNumber } = node.callFrame;
    const code = (sources.get(scriptId)?.[lineNumber] ?? "").slice(columnNumber, columnNumber + 90).replace(/\s+/g, " ");
    return {
      selfMs: round(us / 1000 / messages, 2),
      fn: functionName || "(anonymous)",
      where: url ? `${url.split("/").pop()}:${lineNumber}:${columnNumber}` : "(native)",
      code,
    };
  });
  // Self time per shipped chunk (the crypto libraries, React, the app...), with the chunk's hottest function to recognise it.
  const scripts = new Map<string, { us: number; top: { us: number; code: string } }>();
  for (const { us, node } of selfUs.values()) {
    const { functionName, url, lineNumber, columnNumber, scriptId } = node.callFrame;
    if (functionName === "(idle)") continue;
    const script = url ? url.split("/").pop()! : `(${functionName || "native"})`;
    const entry = scripts.get(script) ?? { us: 0, top: { us: -1, code: "" } };
    entry.us += us;
    if (us > entry.top.us) entry.top = { us, code: `${functionName || "(anonymous)"} ${(sources.get(scriptId)?.[lineNumber] ?? "").slice(columnNumber, columnNumber + 60)}` };
    scripts.set(script, entry);
  }
  const byScript = [...scripts]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, 8)
    .map(([script, e]) => ({ script, ms: round(e.us / 1000 / messages, 2), top: e.top.code }));
  return { busyMsPerMessage: round(busyUs / 1000 / messages, 2), hotSpots, byScript };
}
