// lib/crypto measured where it runs for users: in a Chromium page, on the
// browser's WebCrypto (native X25519/Ed25519) and on tweetnacl, with the very
// code Node's rows use (bench/crypto/ours.ts, bundled). @signalapp's native
// library cannot run in a page, so the ratios against it compare a browser
// tab with a Node addon on the same machine, in the same run.
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, chromiumPath } from "../../__tests__/e2e/support/chromium";
import type { ImplReport } from "./measure";

export type ChromiumResult = { available: true; version: string; primitives: string; tweetnacl: ImplReport; native: ImplReport } | { available: false; reason: string };

/** A loopback origin (a secure context, so crypto.subtle exists), answered by Playwright: no server. */
const ORIGIN = "http://127.0.0.1:9";

export async function runInChromium(quick: boolean): Promise<ChromiumResult> {
  let executablePath: string;
  try {
    executablePath = chromiumPath();
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const esbuild = await import("esbuild");
  const bundle = await esbuild.build({ entryPoints: [path.join(__dirname, "page-entry.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><meta charset=utf-8><title>crypto bench</title>" }));
    await page.goto(`${ORIGIN}/crypto-bench`);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const result = await page.evaluate(async (quick) => {
      type Bench = {
        api: { selectPrimitives(s: SubtleCrypto): Promise<{ name: string }>; tweetnaclPrimitives: unknown };
        runOursOn(api: unknown, budget: unknown, primitives: unknown): Promise<unknown>;
        FULL: unknown;
        QUICK: unknown;
      };
      const b = (globalThis as unknown as { __cryptoBench: Bench }).__cryptoBench;
      const budget = quick ? b.QUICK : b.FULL;
      const native = await b.api.selectPrimitives(crypto.subtle);
      return { primitives: native.name, tweetnacl: await b.runOursOn(b.api, budget, b.api.tweetnaclPrimitives), native: await b.runOursOn(b.api, budget, native) };
    }, quick);
    return { available: true, version: browser.version(), ...(result as { primitives: string; tweetnacl: ImplReport; native: ImplReport }) };
  } finally {
    await browser.close();
  }
}
