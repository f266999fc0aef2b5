import { openSettings, type OnPage } from "./people";
import { expectText } from "./wait";

// The home relay's controls, by the names a person (or a screen reader) uses.
// They are on /settings: each helper goes there first (through the link on
// /chat, so the messenger and the home relay keep running).

export async function becomeHomeRelay(person: OnPage): Promise<void> {
  await openSettings(person);
  const box = person.page.getByRole("checkbox", { name: "Use this device as my home relay" });
  await box.check();
  await person.page.waitForFunction(() => (document.querySelector("input[type=checkbox]") as HTMLInputElement | null) !== null);
  await expectChecked(person, "Use this device as my home relay");
}

export async function enableLogs(person: OnPage, passphrase: string): Promise<void> {
  await openSettings(person);
  const { page } = person;
  await page.getByRole("checkbox", { name: "Enable Local Message Logs" }).check();
  await page.getByLabel("New log passphrase").fill(passphrase);
  await page.getByLabel("Repeat log passphrase").fill(passphrase);
  await page.getByRole("button", { name: "Enable logs" }).click();
  await expectLogCount(person, 0);
}

export async function expectChecked(person: OnPage, name: string): Promise<void> {
  await openSettings(person);
  const box = person.page.getByRole("checkbox", { name });
  for (let i = 0; i < 100 && !(await box.isChecked()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await box.isChecked())) throw new Error(`"${name}" did not become checked`);
}

export async function expectLogCount(person: OnPage, count: number, timeoutMs = 30_000): Promise<void> {
  await openSettings(person);
  await expectText(person.page.getByRole("status", { name: "Local log" }), `Local log: ${count} sealed ${count === 1 ? "record" : "records"}`, timeoutMs);
}

/** Retrieves (or clears) logs from the person's own home relay; returns the status or alert text shown. */
export async function requestLogs(person: OnPage, op: "Retrieve logs" | "Clear logs", passphrase: string): Promise<string> {
  await openSettings(person);
  const { page } = person;
  await page.getByLabel("Log passphrase", { exact: true }).fill(passphrase);
  const outcomes = page.locator("fieldset").filter({ hasText: "Logs from your home relay" }).locator("p[role=status].muted, p[role=alert]");
  // The last request's outcome may still be on screen when the click lands:
  // mark it, and wait for a new one (each outcome is a new element).
  await outcomes.evaluateAll((nodes) => nodes.forEach((n) => n.setAttribute("data-test-earlier", "")));
  await page.getByRole("button", { name: op }).click();
  const outcome = outcomes.and(page.locator(":not([data-test-earlier])")).last();
  await outcome.waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: op, disabled: false }).waitFor({ timeout: 60_000 });
  return (await outcome.textContent()) ?? "";
}

/**
 * The "Retrieved logs" region: texts per peer, in each peer's order. The list
 * is virtualized (only rows near the screen are in the DOM), so this scrolls
 * it from top to bottom and collects every row by its position (aria-posinset).
 */
export async function retrievedLogs(person: OnPage): Promise<Record<string, string[]>> {
  await openSettings(person);
  const read = await person.page.getByRole("region", { name: "Retrieved logs" }).evaluate(async (region) => {
    const out: Record<string, string[]> = {};
    const sizes: Record<string, number> = {};
    const painted = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const collect = () => {
      for (const article of region.querySelectorAll("article")) {
        const peer = (article.getAttribute("aria-label") ?? "").replace(/^From /, "");
        for (const li of article.querySelectorAll("li")) {
          const list = (out[peer] ??= []);
          list[Number(li.getAttribute("aria-posinset")) - 1] = li.querySelector(".text")?.textContent ?? "";
          sizes[peer] = Number(li.getAttribute("aria-setsize"));
        }
      }
    };
    const missing = () => Object.entries(sizes).reduce((n, [peer, size]) => n + size - (out[peer] ?? []).filter((t) => t !== undefined).length, 0);
    // The list is virtualized: scroll through it, top to bottom, reading the
    // rows on screen. A busy page may not have rendered the rows of a scroll
    // step two frames later, so pass again (at most a few times) until every
    // row of every group was read.
    for (let pass = 0; pass < 5; pass++) {
      region.scrollTop = 0;
      for (;;) {
        await painted();
        collect();
        if (region.scrollTop + region.clientHeight >= region.scrollHeight - 1) break;
        region.scrollTop += Math.max(1, Math.floor(region.clientHeight / 2));
      }
      if (missing() === 0) break;
    }
    return { out, missing: missing() };
  });
  if (read.missing > 0) throw new Error(`${read.missing} rows of "Retrieved logs" never rendered while scrolling through it`);
  return read.out;
}
