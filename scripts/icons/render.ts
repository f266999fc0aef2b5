// Renders the app's icons from SVG to the PNG sizes app stores and browsers
// ask for, with the same Chromium the tests use:
//
//   npx tsx scripts/icons/render.ts
//
// public/icon.svg is the source; the maskable variant keeps the mark inside
// the central 80 % "safe zone" (W3C Manifest §maskable icons) on a full-bleed
// background, so launchers may crop it to any shape. The PNGs are committed;
// __tests__/unit/pwa/manifest.test.ts checks that each file matches the size
// the manifest declares.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { chromiumPath, CHROMIUM_ARGS } from "../../__tests__/e2e/support/chromium";

const ROOT = path.resolve(__dirname, "../..");
const BRAND = "#b3261e";

/** The chat bubble of icon.svg, scaled into a square of `size` with `inset` (0..0.5) left around it. */
function maskable(size: number): string {
  const source = readFileSync(path.join(ROOT, "public/icon.svg"), "utf8");
  const bubble = /<path[^>]+\/>/.exec(source)?.[0];
  if (!bubble) throw new Error("public/icon.svg has no <path> to reuse");
  // 64-unit art; the bubble spans about 14..50, scaled to fit the safe zone.
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="${size}" height="${size}"><rect width="64" height="64" fill="${BRAND}"/><g transform="translate(32 34.5) scale(0.72) translate(-32 -34.5)">${bubble}</g></svg>`;
}

function regular(size: number): string {
  return readFileSync(path.join(ROOT, "public/icon.svg"), "utf8").replace("<svg ", `<svg width="${size}" height="${size}" `);
}

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage();
  const outputs: [string, string, number][] = [
    ["public/icons/icon-192.png", regular(192), 192],
    ["public/icons/icon-512.png", regular(512), 512],
    ["public/icons/maskable-512.png", maskable(512), 512],
    ["public/icons/apple-touch-icon-180.png", maskable(180), 180],
  ];
  for (const [file, svg, size] of outputs) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    writeFileSync(path.join(ROOT, file), png);
    console.log(`${file} (${size}×${size}, ${png.length} bytes)`);
  }
  await browser.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
