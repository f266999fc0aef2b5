import type { Page } from "playwright-core";

// tsx compiles this bench with esbuild's keepNames, which wraps named inner
// functions in a `__name(fn, "name")` helper; functions handed to
// page.evaluate carry those calls into the page, where the helper must exist.
const NAME_SHIM = "globalThis.__name = globalThis.__name || ((fn) => fn);";

export async function nameShim(page: Page): Promise<void> {
  await page.evaluate(NAME_SHIM);
}
