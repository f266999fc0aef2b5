import { act, render, screen, within } from "@testing-library/react";
import { MessageList } from "@/app/_components/chat/message-list";
import { MAX_LOADED, Timeline } from "@/lib/chat/timeline";
import { giveListsAScreen, nextFrame } from "./support/layout";
import { memoryHistory, message, openTimeline } from "./support/timeline";

// The conversation's virtualized list: a screenful of rows in the DOM
// whatever the history, one row rendered for a new message, one re-rendered
// for a status change, the bottom kept in view only while the person is at
// the bottom, and older history asked for when the person reaches the top.
// jsdom lays nothing out, so the list gets a 480 px screen and every row the
// list's estimate (support/layout.ts).

giveListsAScreen(".messages");

const history = (count: number) => Array.from({ length: count }, (_, i) => message(`h${String(i).padStart(5, "0")}`, i % 2 ? "in" : "out", i % 2 ? "received" : "delivered", `history ${i}`, 1_000 + i));
const rows = () => within(screen.getByRole("log", { name: "Messages" })).queryAllByRole("listitem");
const log = () => screen.getByRole("log", { name: "Messages" });

/** Which message ids the rows read from the timeline (each row reads its own message when it renders). */
function spyOnReads(timeline: Timeline) {
  const read: string[] = [];
  const get = timeline.get.bind(timeline);
  jest.spyOn(timeline, "get").mockImplementation((id) => (read.push(id), get(id)));
  return read;
}

/** The person scrolls: the offset moves and, as in a browser, a scroll event follows. */
async function scrollTo(top: number) {
  log().scrollTop = top;
  await nextFrame();
}

async function show(timeline: Timeline) {
  render(<MessageList timeline={timeline} peer="bob" />);
  await nextFrame();
}

describe("MessageList, virtualized", () => {
  it("keeps a screenful of rows in the DOM for a long history, and says how many messages it holds", async () => {
    const timeline = await openTimeline(history(5_000), "bob", 500);
    await show(timeline);
    expect(log()).toHaveAttribute("data-count", "500");
    expect(log()).toHaveAttribute("data-has-older", "true");
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(30);
    // At the bottom: the newest message is among the rows, with its place in the whole.
    const last = rows().at(-1)!;
    expect(last).toHaveTextContent("history 4999");
    expect(last).toHaveAttribute("aria-posinset", "500");
  });

  it("renders one row for a new message and re-renders none of the others", async () => {
    const timeline = await openTimeline(history(40));
    await show(timeline);
    const read = spyOnReads(timeline);
    act(() => timeline.upsert(message("new", "out", "pending", "just sent", 9_999)));
    // The new row rendered in the same commit, before the list followed it to the bottom.
    expect(new Set(read)).toEqual(new Set(["new"]));
    await nextFrame();
    expect(rows().at(-1)).toHaveTextContent("just sent");
    expect(rows().at(-1)).toHaveAttribute("data-status", "pending");
  });

  it("re-renders only the row whose status changed", async () => {
    const timeline = await openTimeline([...history(10), message("mine", "out", "pending", "on its way", 5_000)]);
    await show(timeline);
    const read = spyOnReads(timeline);
    act(() => timeline.upsert(message("mine", "out", "delivered", "on its way", 5_000)));
    expect(new Set(read)).toEqual(new Set(["mine"]));
    const row = rows().find((li) => li.textContent?.includes("on its way"))!;
    expect(row).toHaveAttribute("data-status", "delivered");
    expect(within(row).getByText("delivered")).toBeInTheDocument();
  });

  it("follows a new message while at the bottom, and leaves the view alone while the person reads further up", async () => {
    // All of it loaded: scrolling up loads nothing that could move the view.
    const timeline = await openTimeline(history(100), "bob", 200);
    await show(timeline);
    const bottom = log().scrollTop;
    expect(bottom).toBeGreaterThan(0);
    act(() => timeline.upsert(message("a", "in", "received", "while at the bottom", 9_000)));
    await nextFrame();
    expect(log().scrollTop).toBeGreaterThan(bottom);
    expect(rows().at(-1)).toHaveTextContent("while at the bottom");

    await scrollTo(1_000);
    act(() => timeline.upsert(message("b", "in", "received", "while reading", 9_001)));
    await nextFrame();
    expect(log().scrollTop).toBe(1_000);
    expect(rows().map((li) => li.textContent).join(" ")).not.toContain("while reading");
  });

  it("asks for the page before the first loaded message when the person scrolls up to it, once", async () => {
    const { load, asked } = memoryHistory(history(300));
    const timeline = new Timeline("bob", load, 50);
    await timeline.loadOlder();
    await show(timeline);
    expect(asked).toHaveLength(1);
    await scrollTo(0);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toEqual({ at: 1_250, id: "h00250" });
    expect(log()).toHaveAttribute("data-count", "100");
    // The view stayed on the messages it showed: now 50 rows further down.
    expect(log().scrollTop).toBeGreaterThan(0);
  });

  it("holds at most MAX_LOADED messages through a long session at the bottom, so a message costs the same at the thousandth", async () => {
    const timeline = await openTimeline(history(50), "bob", 50);
    await show(timeline);
    for (let i = 0; i < MAX_LOADED + 20; i++) {
      act(() => timeline.upsert(message(`s${i}`, "out", "pending", `session ${i}`, 10_000 + i)));
      await nextFrame();
      expect(timeline.getState().count).toBeLessThanOrEqual(MAX_LOADED);
    }
    expect(log()).toHaveAttribute("data-has-older", "true");
    expect(rows().at(-1)).toHaveTextContent(`session ${MAX_LOADED + 19}`);
    expect(rows().length).toBeLessThan(30);
    // 520 renders take about 2 s alone and were seen past Jest's default 5 s on a loaded 2-core machine.
  }, 30_000);

  it("stays an empty log with nothing to load", async () => {
    const timeline = await openTimeline([]);
    await show(timeline);
    expect(log()).toHaveAttribute("data-count", "0");
    expect(log()).toHaveAttribute("data-has-older", "false");
    expect(rows()).toEqual([]);
  });
});
