// Benchmark of the W Ratchet (lib/crypto) against Signal implementations, all
// measured in the same run on the same machine:
//   ours-tweetnacl                         lib/crypto on tweetnacl (+ @noble/hashes): the fallback
//   ours-native                            lib/crypto on WebCrypto's native X25519/Ed25519 (here Node's)
//   ours in Chromium                       both paths again, in a Chromium page (bench/crypto/chromium.ts)
//   @privacyresearch/libsignal-protocol-typescript   pure TypeScript Signal
//   @signalapp/libsignal-client            Signal's Rust library, native addon
// Usage: npx tsx bench/crypto.ts [--json] [--quick]
// Ratios are ours ÷ peer in throughput terms (messages/s, or 1/ms for times):
// above 1 means ours is faster.
import { loadOurs } from "./crypto/load-ours";
import { FULL, QUICK, SIZES, type ImplReport } from "./crypto/measure";
import { runInChromium, type ChromiumResult } from "./crypto/chromium";
import { runNative, type NativeResult } from "./crypto/native";
import { runKdf, runOursOn, type OurReport } from "./crypto/ours";
import { runPrivacyResearch } from "./crypto/privacyresearch";

const TS_PEER = "@privacyresearch/libsignal-protocol-typescript";
const NATIVE_PEER = "@signalapp/libsignal-client";

export type Ratios = Record<string, number>;
type Path = "tweetnacl" | "native";

/** The issue's goals for the native path, against @signalapp/libsignal-client in the same run. */
export const GOALS = { handshakeUnderMs: 5, pingPong256AtLeast: 1 };

export interface Report {
  ours: OurReport;
  /** Both paths in a Chromium page, where users run them. */
  chromium: ChromiumResult;
  /** Chromium-native ÷ @signalapp/libsignal-client (in Node): the same goals, in the browser. */
  chromiumGoals: { handshakeMs: number; handshakeMet: boolean; pingPong256VsNative: number | null; pingPongMet: boolean | null } | null;
  peers: { [TS_PEER]: ImplReport; [NATIVE_PEER]: NativeResult };
  /** ours on each path ÷ each peer. */
  ratios: Record<Path, { [TS_PEER]: Ratios; [NATIVE_PEER]: Ratios | null }>;
  goals: { handshakeMs: number; handshakeMet: boolean; pingPong256VsNative: number | null; pingPongMet: boolean | null };
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
  const subtle = globalThis.crypto.subtle;
  const nativePrimitives = await loaded.api.selectPrimitives(subtle);
  if (nativePrimitives.name !== "webcrypto") throw new Error("bench: this Node's WebCrypto has no X25519/Ed25519 that passes the known answers (Node ≥ 20 has them)");
  const ours: OurReport = {
    tweetnacl: await runOursOn(loaded.api, budget, loaded.api.tweetnaclPrimitives),
    native: await runOursOn(loaded.api, budget, nativePrimitives),
    passphraseKdfMs: await runKdf(loaded.api, opts.quick === true),
  };
  const ts = await runPrivacyResearch(budget);
  const native = await runNative(budget);
  const inChromium = await runInChromium(opts.quick === true);
  const chromiumPingPong = inChromium.available && native.available ? inChromium.native.pingPongMsgsPerSec["256"] / native.pingPongMsgsPerSec["256"] : null;
  const ratioSet = (path: Path) => ({ [TS_PEER]: ratios(ours[path], ts), [NATIVE_PEER]: native.available ? ratios(ours[path], native) : null });
  const pingPong = native.available ? ours.native.pingPongMsgsPerSec["256"] / native.pingPongMsgsPerSec["256"] : null;
  const report: Report = {
    ours,
    chromium: inChromium,
    chromiumGoals: inChromium.available
      ? {
          handshakeMs: inChromium.native.handshakeMs,
          handshakeMet: inChromium.native.handshakeMs < GOALS.handshakeUnderMs,
          pingPong256VsNative: chromiumPingPong,
          pingPongMet: chromiumPingPong === null ? null : chromiumPingPong >= GOALS.pingPong256AtLeast,
        }
      : null,
    peers: { [TS_PEER]: ts, [NATIVE_PEER]: native },
    ratios: { tweetnacl: ratioSet("tweetnacl"), native: ratioSet("native") },
    goals: {
      handshakeMs: ours.native.handshakeMs,
      handshakeMet: ours.native.handshakeMs < GOALS.handshakeUnderMs,
      pingPong256VsNative: pingPong,
      pingPongMet: pingPong === null ? null : pingPong >= GOALS.pingPong256AtLeast,
    },
    meta: { node: process.version, platform: `${process.platform}-${process.arch}`, quick: opts.quick === true, date: new Date().toISOString(), oursLoadedAs: loaded.mode },
  };
  if (opts.json) console.log(JSON.stringify(report));
  else printReport(report);
  return report;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number): string => s.padStart(n);

function row(label: string, impl: ImplReport, ratio: Ratios | null, ratioLabel = "ours/peer"): string[] {
  const cells = [
    ["handshake ms", fmt(impl.handshakeMs, 2), "handshake"],
    ["DH step ms", fmt(impl.dhStepMs, 3), "dhStep"],
    ...SIZES.flatMap((s) => [
      [`1-way ${s}B msg/s`, fmt(impl.oneWayMsgsPerSec[`${s}`]), `oneWay${s}`],
      [`ping-pong ${s}B msg/s`, fmt(impl.pingPongMsgsPerSec[`${s}`]), `pingPong${s}`],
    ]),
  ] as [string, string, string][];
  return cells.map(([what, value, key]) => `  ${label.padEnd(48)} ${what.padEnd(22)} ${pad(value, 12)}${ratio ? `   ${ratioLabel} ${fmt(ratio[key] ?? NaN, 2)}×` : ""}`);
}

function printReport(r: Report): void {
  const lines = [`W Ratchet benchmark (${r.meta.node}, ${r.meta.platform}${r.meta.quick ? ", quick" : ""}); a message = encrypt + decrypt`];
  lines.push(`  ours loaded as: ${r.meta.oursLoadedAs}`);
  lines.push(...row("ours-tweetnacl (lib/crypto, fallback)", r.ours.tweetnacl, null));
  lines.push(...row("ours-native (lib/crypto, WebCrypto X25519/Ed25519)", r.ours.native, null));
  lines.push(...row(TS_PEER, r.peers[TS_PEER], r.ratios.tweetnacl[TS_PEER], "ours-tweetnacl/peer"));
  lines.push(...row(TS_PEER, r.peers[TS_PEER], r.ratios.native[TS_PEER], "ours-native/peer"));
  const native = r.peers[NATIVE_PEER];
  if (native.available) {
    lines.push(...row(`${NATIVE_PEER} ${native.version} (native)`, native, r.ratios.tweetnacl[NATIVE_PEER], "ours-tweetnacl/peer"));
    lines.push(...row(`${NATIVE_PEER} ${native.version} (native)`, native, r.ratios.native[NATIVE_PEER], "ours-native/peer"));
  } else lines.push(`  ${NATIVE_PEER}: not available (${native.reason})`);
  const c = r.chromium;
  if (c.available) {
    const vsNative = (impl: ImplReport) => (native.available ? ratios(impl, native) : null);
    lines.push(`  in Chromium ${c.version} (a page on this machine; primitives chosen there: ${c.primitives}); ratios against ${NATIVE_PEER} in Node:`);
    lines.push(...row("ours-tweetnacl in Chromium", c.tweetnacl, vsNative(c.tweetnacl), "ours/libsignal-client"));
    lines.push(...row("ours-native in Chromium (WebCrypto)", c.native, vsNative(c.native), "ours/libsignal-client"));
  } else lines.push(`  in Chromium: not measured (${c.reason})`);
  const goal = (where: string, g: Report["goals"] | null) => {
    if (!g) return;
    lines.push(`  goal (${where}): ours-native handshake under ${GOALS.handshakeUnderMs} ms: ${fmt(g.handshakeMs, 2)} ms, ${g.handshakeMet ? "met" : "NOT met"}`);
    lines.push(
      `  goal (${where}): ours-native 256 B ping-pong at least ${GOALS.pingPong256AtLeast}× ${NATIVE_PEER}: ${g.pingPong256VsNative === null ? "n/a (peer unavailable)" : `${fmt(g.pingPong256VsNative, 2)}×, ${g.pingPongMet ? "met" : "NOT met"}`}`,
    );
  };
  goal("Node", r.goals);
  goal("Chromium", r.chromiumGoals);
  for (const [params, ms] of Object.entries(r.ours.passphraseKdfMs)) lines.push(`  passphrase KDF ${params}: ${fmt(ms)} ms`);
  console.log(lines.join("\n"));
}

if (/bench[\\/]crypto\.ts$/.test(process.argv[1] ?? "")) {
  runCryptoBench({ json: process.argv.includes("--json"), quick: process.argv.includes("--quick") }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
