import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { castOf } from "./support/cast";
import { register } from "./support/http-login";
import { connectTo, messages, openChat, openSettings, PASSWORD, send, showList, signUp, waitForConnection } from "./support/people";
import { SIZES } from "./support/screenshots";
import { eventually } from "./support/wait";

// axe-core (through @axe-core/playwright) on every page, light and dark
// (prefers-color-scheme emulated), at a desktop's size and, for the two views
// of /chat that differ there, a phone's: no serious or critical violation.
// Then the keyboard: every control of the chat is reached with Tab, and the
// one focused shows a ring.

jest.setTimeout(180_000);

const cast = castOf();

const SCHEMES = ["light", "dark"] as const;

/** The serious and critical violations axe finds on the page as it is now, in both colour schemes. */
async function violations(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    // Two frames: the new colours are painted before axe reads them.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const results = await new AxeBuilder({ page }).analyze();
    // axe ran its checks on this page, contrast among them (a page it could not read would pass vacuously).
    if (!results.passes.some((r) => r.id === "color-contrast") && !results.violations.some((r) => r.id === "color-contrast")) found.push(`${where} (${colorScheme}): axe checked no colour contrast`);
    for (const v of results.violations) {
      if (v.impact !== "serious" && v.impact !== "critical") continue;
      found.push(`${where} (${colorScheme}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

describe("accessibility", () => {
  it("has no serious or critical axe violation on any page, light or dark", async () => {
    const fay = await cast.launch("fay", { viewport: SIZES.desktop });
    const gil = await cast.launch("gil", { viewport: SIZES.desktop });
    const found: string[] = [];
    for (const path of ["/", "/signup", "/login", "/help/network"]) {
      await fay.page.goto(`${cast.app.url}${path}`);
      await fay.page.getByRole("heading", { level: 1 }).waitFor();
      found.push(...(await violations(fay.page, path)));
    }

    await Promise.all([signUp(fay, cast.app.url), signUp(gil, cast.app.url)]);
    found.push(...(await violations(fay.page, "/chat, no conversation yet")));
    await connectTo(fay, "gil");
    await connectTo(gil, "fay");
    await waitForConnection(fay, "direct");
    await send(gil, "a message to show in the log");
    await send(fay, "and one going out");
    await eventually(() => messages(fay), (m) => m.length === 2, "both messages on fay's screen");
    found.push(...(await violations(fay.page, "/chat, desktop, conversation open")));
    await fay.page.getByRole("button", { name: "Safety number" }).first().click();
    await fay.page.getByRole("dialog").waitFor();
    found.push(...(await violations(fay.page, "/chat, safety number shown")));
    await openSettings(fay);
    found.push(...(await violations(fay.page, "/settings")));

    await openChat(fay);
    await fay.page.setViewportSize(SIZES.phone);
    await fay.page.getByRole("button", { name: "Back to conversations" }).waitFor();
    found.push(...(await violations(fay.page, "/chat, phone, conversation open")));
    await showList(fay);
    found.push(...(await violations(fay.page, "/chat, phone, the list")));

    expect(found).toEqual([]);
  });

  it("reaches every control of the chat with the keyboard, each showing a focus ring", async () => {
    const hal = await cast.launch("hal", { viewport: SIZES.desktop });
    await register(cast.app.url, "ivy", PASSWORD);
    await signUp(hal, cast.app.url);
    await connectTo(hal, "ivy");
    const wanted = ["link:Settings", "textbox:Nickname to contact", "button:ivy", "button:Safety number", "log:Messages", "textbox:Message"];
    const reached: string[] = [];
    const rings: string[] = [];
    await hal.page.locator("body").focus();
    for (let i = 0; i < 40 && reached.length < wanted.length; i++) {
      await hal.page.keyboard.press("Tab");
      const focused = await hal.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const role = el.getAttribute("role") ?? (el.tagName === "A" ? "link" : el.tagName === "BUTTON" ? "button" : el.tagName === "TEXTAREA" || el.tagName === "INPUT" ? "textbox" : el.tagName.toLowerCase());
        const labelled = el.getAttribute("aria-label") ?? el.querySelector(".contact-name")?.textContent ?? (el.closest("label")?.firstChild?.textContent ?? el.textContent ?? "").trim();
        const style = getComputedStyle(el);
        return { name: `${role}:${labelled.trim()}`, ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
      });
      if (!focused) continue;
      if (wanted.includes(focused.name) && !reached.includes(focused.name)) reached.push(focused.name);
      if (!focused.ring) rings.push(focused.name);
    }
    expect([...reached].sort()).toEqual([...wanted].sort());
    expect(rings).toEqual([]);
  });
});
