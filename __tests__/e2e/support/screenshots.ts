import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";

// Screenshots of the app as a newcomer will see it, kept as test artefacts
// under test-results/screenshots/ (CI uploads test-results/). The latest
// copies are committed in docs/screenshots/ and shown in the README:
// `cp test-results/screenshots/*.png docs/screenshots/` after a run.

export const SCREENSHOT_DIR = path.resolve(__dirname, "../../../test-results/screenshots");

export const SIZES = {
  phone: { width: 375, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;
export type SizeName = keyof typeof SIZES;

/** Saves what `page` shows (the viewport, as a person sees it) as test-results/screenshots/<size>-<name>.png. */
export async function screenshot(page: Page, size: SizeName, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${size}-${name}.png`);
  // Fonts loaded and two frames painted: the picture is of the settled page.
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
  return file;
}
