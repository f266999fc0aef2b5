import { render, screen, within } from "@testing-library/react";
import { RetrievedLogs } from "@/app/_components/relay/retrieved-logs";
import type { LogRecord } from "@/lib/relay/log-records";
import { RetrievedLog } from "@/lib/relay/retrieved-log";

// The "Retrieved logs" region: grouped by sender as the page always showed
// it, built up from streamed chunks in any order, and virtualized: ten
// thousand records put a screenful of rows in the DOM, not ten thousand.

// jsdom lays nothing out: give the region a phone's screen and every row a line's height
// (the sizes the virtualizer reads: clientHeight of the scroller, offsetHeight of rows).
const heightOf = (el: HTMLElement) => (el.matches("section.retrieved") ? 480 : el.matches("li, h3") ? 40 : 0);
const realRect = HTMLElement.prototype.getBoundingClientRect;
beforeAll(() => {
  HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
    const height = heightOf(this);
    return { x: 0, y: 0, top: 0, left: 0, right: 360, bottom: height, width: 360, height, toJSON: () => ({}) } as DOMRect;
  };
  Object.defineProperty(HTMLElement.prototype, "offsetHeight", { configurable: true, get(this: HTMLElement) { return heightOf(this); } });
  Object.defineProperty(HTMLElement.prototype, "offsetWidth", { configurable: true, get: () => 360 });
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get(this: HTMLElement) { return heightOf(this); } });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 360 });
});
afterAll(() => {
  HTMLElement.prototype.getBoundingClientRect = realRect;
  delete (HTMLElement.prototype as { offsetHeight?: number }).offsetHeight;
  delete (HTMLElement.prototype as { offsetWidth?: number }).offsetWidth;
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
});

const record = (from: string, i: number, receivedAt = 1_000 + i): LogRecord => ({ v: 1, id: `${from}-${i}`, from, fromDevice: "d", sentAt: 500 + i, receivedAt, text: `${from} says ${i}` });

describe("RetrievedLog", () => {
  it("groups by sender, the sender heard from last first, each in sending order, whatever order the chunks came in", () => {
    const log = new RetrievedLog();
    log.add([record("bob", 2), record("carol", 1)]);
    log.add([record("bob", 0), record("carol", 5, 9_999), record("bob", 1)]);
    const rows = log.rows();
    expect(log.size).toBe(5);
    expect(rows.map((r) => (r.kind === "peer" ? `# ${r.peer} (${r.count})` : `${r.record.text} ${r.position}/${r.groupSize}`))).toEqual([
      "# carol (2)",
      "carol says 1 1/2",
      "carol says 5 2/2",
      "# bob (3)",
      "bob says 0 1/3",
      "bob says 1 2/3",
      "bob says 2 3/3",
    ]);
  });
});

describe("RetrievedLogs", () => {
  it("shows each sender's messages under a heading, in an article named for the sender", () => {
    const log = new RetrievedLog();
    log.add([record("bob", 0), record("bob", 1), record("carol", 0, 5_000)]);
    render(<RetrievedLogs rows={log.rows()} total={log.size} />);
    const region = screen.getByRole("region", { name: "Retrieved logs" });
    const carol = within(region).getByRole("article", { name: "From carol" });
    expect(within(carol).getByRole("heading", { name: "carol" })).toBeInTheDocument();
    const bob = within(region).getByRole("article", { name: "From bob" });
    expect(within(bob).getAllByRole("listitem").map((li) => li.querySelector(".text")?.textContent)).toEqual(["bob says 0", "bob says 1"]);
    expect(within(bob).getAllByRole("listitem")[1]).toHaveAttribute("aria-posinset", "2");
    expect(within(bob).getAllByRole("listitem")[1]).toHaveAttribute("aria-setsize", "2");
  });

  it("says so when nobody reached out", () => {
    render(<RetrievedLogs rows={[]} total={0} />);
    expect(screen.getByRole("region", { name: "Retrieved logs" })).toHaveTextContent("Nobody reached out.");
  });

  it("puts a screenful of ten thousand messages in the DOM, not all of them", () => {
    const log = new RetrievedLog();
    log.add(Array.from({ length: 10_000 }, (_, i) => record(["bob", "carol", "dave", "erin"][i % 4]!, i)));
    render(<RetrievedLogs rows={log.rows()} total={log.size} />);
    const region = screen.getByRole("region", { name: "Retrieved logs" });
    const shown = within(region).getAllByRole("listitem");
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(100);
    expect(region).toHaveAttribute("data-records", "10000");
  });
});
