// The measured path: on the second device, the passphrase is typed and
// "Retrieve logs" pressed; the clock stops when the "Retrieved logs" region
// lists every message (data-records: it is virtualized, so only the first
// screen of them is in the DOM), the status says "Retrieved N messages." and
// the next frame has been produced. `firstRows` marks when the first streamed
// chunk's messages appeared. Timed in the page: performance.now() at the click
// (a capturing listener), a MutationObserver for the outcome, then
// requestAnimationFrame + a posted task for the paint. The UI's own status
// texts and progress bar are recorded too (`marks`), but they are painted
// late while the main thread is busy, so the phases come from the data
// channel instead (wire.ts). Nothing in the app is changed: the probe only
// watches the DOM.

import type { Page } from "playwright-core";
import { nameShim } from "./shim";

/** Milliseconds from the click, as seen in the page. */
export interface ProbeMarks {
  connecting?: number;
  proving?: number;
  receiving?: number;
  firstChunk?: number;
  lastChunk?: number;
  /** The first messages in the "Retrieved logs" region, while the rest still streams in. */
  firstRows?: number;
  committed?: number;
  painted?: number;
}

export interface ProbeResult {
  /** The click, epoch ms (performance.timeOrigin + now), to line up with other pages' clocks. */
  clickEpoch: number;
  marks: ProbeMarks;
  status: string;
  /** Messages the "Retrieved logs" region lists (its data-records) when the status appeared. */
  rendered: number;
  /** Of those, the ones in the DOM (li): the first screen. */
  visible: number;
  alert: boolean;
  /** document.visibilityState at the click: a hidden page's frames are throttled. */
  visibility: string;
}

interface ProbeWindow {
  __relayProbe?: Promise<ProbeResult>;
}

/** Installs the probe; resolves (in the page) once the outcome is committed and painted. */
export async function installProbe(page: Page): Promise<void> {
  await nameShim(page);
  await page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    const at: Record<string, number> = {};
    let click: number | undefined;
    let visibility = "unknown";
    const legend = "Logs from your home relay";
    const fieldset = () => [...document.querySelectorAll("fieldset")].find((f) => f.querySelector("legend")?.textContent === legend);
    w.__relayProbe = new Promise<ProbeResult>((resolve) => {
      const onClick = (event: Event) => {
        const button = (event.target as Element | null)?.closest?.("button");
        if (click === undefined && button?.textContent?.trim() === "Retrieve logs") {
          click = performance.now();
          visibility = document.visibilityState;
        }
      };
      document.addEventListener("click", onClick, true);
      const observer = new MutationObserver(() => {
        const now = performance.now();
        const box = fieldset();
        if (click === undefined || !box) return;
        for (const p of box.querySelectorAll("p[role=status]")) {
          const text = p.textContent ?? "";
          if (text.startsWith("Reaching the home relay")) at.connecting ??= now;
          if (text.startsWith("Proving the passphrase")) at.proving ??= now;
        }
        const bar = box.querySelector<HTMLProgressElement>('progress[aria-label="Retrieving logs"]');
        if (bar) {
          at.receiving ??= now;
          if (bar.value > 0) at.firstChunk ??= now;
          if (bar.max > 0 && bar.value >= bar.max) at.lastChunk ??= now;
        }
        if (document.querySelector('section[aria-label="Retrieved logs"] li')) at.firstRows ??= now;
        const outcome = [...box.querySelectorAll("p[role=status].muted, p[role=alert]")].at(-1);
        if (!outcome) return;
        at.committed = now;
        observer.disconnect();
        document.removeEventListener("click", onClick, true);
        const region = document.querySelector('section[aria-label="Retrieved logs"]');
        const result = {
          status: outcome.textContent ?? "",
          rendered: Number(region?.getAttribute("data-records") ?? 0),
          visible: region ? region.querySelectorAll("li").length : 0,
          alert: outcome.getAttribute("role") === "alert",
          visibility,
        };
        // A task posted from requestAnimationFrame runs once that frame's style, layout and paint are done.
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            at.painted = performance.now();
            const marks: Record<string, number> = {};
            for (const [k, v] of Object.entries(at)) marks[k] = v - click!;
            resolve({ ...result, marks, clickEpoch: performance.timeOrigin + click! });
          };
          channel.port2.postMessage(0);
        });
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  });
}

export async function probeResult(page: Page, timeoutMs: number): Promise<ProbeResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`retrieval did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(() => (window as unknown as ProbeWindow).__relayProbe!), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Types the passphrase, installs the probe, presses "Retrieve logs" and waits for the outcome. */
export async function retrieveOnce(page: Page, passphrase: string, timeoutMs: number): Promise<ProbeResult> {
  await page.getByLabel("Log passphrase", { exact: true }).fill(passphrase);
  await installProbe(page);
  await page.getByRole("button", { name: "Retrieve logs" }).click();
  return probeResult(page, timeoutMs);
}
