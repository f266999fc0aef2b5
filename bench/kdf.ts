// Benchmark of the log passphrase KDF where it runs: in a Chromium page, as
// the phone derives the keys to answer the home's challenge. A phone-class
// CPU is emulated with Chromium's CPU throttling (CDP
// Emulation.setCPUThrottlingRate; 4× is what Lighthouse uses for its mobile
// profile). Baseline, measured in the same run: the earlier default
// (argon2id 19 MiB, 2 passes), which logs sealed before the change still use.
// Usage: npx tsx bench/kdf.ts [--json] [--quick]
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../__tests__/e2e/support/chromium";
import type { PassphraseKdfParams } from "../lib/crypto/passphrase";

const PASSPHRASE = "a long log passphrase nobody guesses";
const EARLIER_DEFAULT: PassphraseKdfParams = { alg: "argon2id", m: 19456, t: 2, p: 1 };
const RATES = [1, 4, 6];

export interface KdfRow {
  params: string;
  cpuSlowdown: number;
  /** Median of the runs, ms. */
  medianMs: number;
  runsMs: number[];
}

export interface KdfReport {
  rows: KdfRow[];
  meta: { chromium: string; cores: number; date: string };
}

async function pageWithKdf(page: Page): Promise<void> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({ entryPoints: [path.join(__dirname, "kdf/page-kdf.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  await page.setContent("<!doctype html><meta charset=utf-8><title>kdf bench</title>");
  await page.addScriptTag({ content: out.outputFiles[0]!.text });
}

async function deriveMs(page: Page, params: PassphraseKdfParams): Promise<number> {
  return page.evaluate(
    async ({ params, passphrase }) => {
      const kdf = (globalThis as unknown as { __kdf: { derivePassphraseKey: (p: string, s: Uint8Array, k: unknown) => Promise<Uint8Array> } }).__kdf;
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const start = performance.now();
      await kdf.derivePassphraseKey(passphrase, salt, params);
      return performance.now() - start;
    },
    { params, passphrase: PASSPHRASE },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const label = (p: PassphraseKdfParams) => (p.alg === "argon2id" ? `argon2id m=${p.m / 1024} MiB t=${p.t} p=${p.p}` : `scrypt N=${p.N} r=${p.r} p=${p.p}`);

export async function runKdfBench(opts: { quick?: boolean } = {}): Promise<KdfReport> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await pageWithKdf(page);
    const current = await page.evaluate(() => (globalThis as unknown as { __kdf: { DEFAULT_PASSPHRASE_KDF: unknown } }).__kdf.DEFAULT_PASSPHRASE_KDF as PassphraseKdfParams);
    const cdp = await page.context().newCDPSession(page);
    const runs = opts.quick ? 1 : 3;
    const rows: KdfRow[] = [];
    for (const rate of opts.quick ? [1, 4] : RATES) {
      await cdp.send("Emulation.setCPUThrottlingRate", { rate });
      for (const params of [EARLIER_DEFAULT, current]) {
        await deriveMs(page, params); // warm-up: JIT and the first large allocation
        const runsMs: number[] = [];
        for (let i = 0; i < runs; i++) runsMs.push(Math.round(await deriveMs(page, params)));
        rows.push({ params: label(params) + (params === current ? " (default)" : " (earlier default, baseline)"), cpuSlowdown: rate, medianMs: median(runsMs), runsMs });
      }
    }
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    return { rows, meta: { chromium: browser.version(), cores, date: new Date().toISOString() } };
  } finally {
    await browser.close();
  }
}

function print(r: KdfReport): void {
  console.log(`\nPassphrase KDF in Chromium ${r.meta.chromium} (${r.meta.cores} cores), median of runs; CPU slowed down by CDP throttling`);
  for (const row of r.rows) console.log(`  ${String(row.cpuSlowdown).padStart(2)}× slower CPU  ${row.params.padEnd(52)} ${String(row.medianMs).padStart(6)} ms   runs ${row.runsMs.join(", ")}`);
}

if (require.main === module) {
  const json = process.argv.includes("--json");
  runKdfBench({ quick: process.argv.includes("--quick") })
    .then((r) => (json ? console.log(JSON.stringify(r)) : print(r)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

export { print as printKdfReport };
