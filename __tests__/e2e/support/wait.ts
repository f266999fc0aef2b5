import type { Locator } from "playwright-core";

/** Polls until the locator's text equals `expected` (playwright-core has no auto-waiting expect). */
export async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = (await locator.count()) > 0 ? await locator.first().textContent() : null;
    const ok = last !== null && (typeof expected === "string" ? last.trim() === expected : expected.test(last));
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`expected text ${String(expected)}, last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls an async condition until it holds. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls an async condition for `durationMs` and fails the moment it does not hold: for states that must last. */
export async function holdsFor<T>(durationMs: number, probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<void> {
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const value = await probe();
    if (!accept(value)) throw new Error(`${what} stopped holding; value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
