// Benchmark of the W Ratchet (lib/crypto) against Signal implementations, all
// measured in the same run on the same machine:
//   ours                                   lib/crypto (tweetnacl + @noble/hashes)
//   @privacyresearch/libsignal-protocol-typescript   pure TypeScript Signal
//   @signalapp/libsignal-client            Signal's Rust library, native addon
// Usage: npx tsx bench/crypto.ts [--json] [--quick]
// Ratios are ours ÷ peer in throughput terms (messages/s, or 1/ms for times):
// above 1 means ours is faster.
import { loadOurs } from "./crypto/load-ours";
import { FULL, QUICK, SIZES, type ImplReport } from "./crypto/measure";
import { runNative, type NativeResult } from "./crypto/native";
import { runOurs, type OurReport } from "./crypto/ours";
import { runPrivacyResearch } from "./crypto/privacyresearch";

const TS_PEER = "@privacyresearch/libsignal-protocol-typescript";
const NATIVE_PEER = "@signalapp/libsignal-client";

export type Ratios = Record<string, number>;

export interface Report {
  ours: OurReport;
  peers: { [TS_PEER]: ImplReport; [NATIVE_PEER]: NativeResult };
  ratios: { [TS_PEER]: Ratios; [NATIVE_PEER]: Ratios | null };
  meta: { node: string; platform: string; quick: boolean; date: string; oursLoadedAs: string };
}

function ratios(ours: ImplReport, peer: ImplReport): Ratios {
  const r: Ratios = { handshake: peer.handshakeMs / ours.handshakeMs, dhStep: peer.dhStepMs / ours.dhStepMs };
  for (const s of SIZES) {
    r[`oneWay${s}`] = ours.oneWayMsgsPerSec[`${s}`] / peer.oneWayMsgsPerSec[`${s}`];
    r[`pingPong${s}`] = ours.pingPongMsgsPerSec[`${s}`] / peer.pingPongMsgsPerSec[`${s}`];
  }
  return r;
}

export async function runCryptoBench(opts: { json?: boolean; quick?: boolean } = {}): Promise<Report> {
  const budget = opts.quick ? QUICK : FULL;
  const loaded = await loadOurs();
  const ours = await runOurs(loaded.api, budget, opts.quick === true);
  const ts = await runPrivacyResearch(budget);
  const native = await runNative(budget);
  const report: Report = {
    ours,
    peers: { [TS_PEER]: ts, [NATIVE_PEER]: native },
    ratios: { [TS_PEER]: ratios(ours, ts), [NATIVE_PEER]: native.available ? ratios(ours, native) : null },
    meta: { node: process.version, platform: `${process.platform}-${process.arch}`, quick: opts.quick === true, date: new Date().toISOString(), oursLoadedAs: loaded.mode },
  };
  if (opts.json) console.log(JSON.stringify(report));
  else printReport(report);
  return report;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number): string => s.padStart(n);

function row(label: string, impl: ImplReport, ratio: Ratios | null): string[] {
  const cells = [
    ["handshake ms", fmt(impl.handshakeMs, 2), "handshake"],
    ["DH step ms", fmt(impl.dhStepMs, 3), "dhStep"],
    ...SIZES.flatMap((s) => [
      [`1-way ${s}B msg/s`, fmt(impl.oneWayMsgsPerSec[`${s}`]), `oneWay${s}`],
      [`ping-pong ${s}B msg/s`, fmt(impl.pingPongMsgsPerSec[`${s}`]), `pingPong${s}`],
    ]),
  ] as [string, string, string][];
  return cells.map(([what, value, key]) => `  ${label.padEnd(48)} ${what.padEnd(22)} ${pad(value, 12)}${ratio ? `   ours/peer ${fmt(ratio[key] ?? NaN, 2)}×` : ""}`);
}

function printReport(r: Report): void {
  const lines = [`W Ratchet benchmark (${r.meta.node}, ${r.meta.platform}${r.meta.quick ? ", quick" : ""}); a message = encrypt + decrypt`];
  lines.push(`  ours loaded as: ${r.meta.oursLoadedAs}`);
  lines.push(...row("ours (lib/crypto)", r.ours, null));
  lines.push(...row(TS_PEER, r.peers[TS_PEER], r.ratios[TS_PEER]));
  const native = r.peers[NATIVE_PEER];
  if (native.available) lines.push(...row(`${NATIVE_PEER} ${native.version} (native)`, native, r.ratios[NATIVE_PEER]));
  else lines.push(`  ${NATIVE_PEER}: not available (${native.reason})`);
  for (const [params, ms] of Object.entries(r.ours.passphraseKdfMs)) lines.push(`  passphrase KDF ${params}: ${fmt(ms)} ms`);
  console.log(lines.join("\n"));
}

if (/bench[\\/]crypto\.ts$/.test(process.argv[1] ?? "")) {
  runCryptoBench({ json: process.argv.includes("--json"), quick: process.argv.includes("--quick") }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
