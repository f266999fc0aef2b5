import "fake-indexeddb/auto";
import { KEEP_LOADED, MAX_LOADED, Timeline } from "@/lib/chat/timeline";
import { LiveMessages } from "@/lib/chat/live-messages";
import { loadHistoryPage, type StoredMessage } from "@/lib/store/history-store";
import { idbPut, transact } from "@/lib/store/idb";

// The open conversation's messages: pages of history from IndexedDB, newest
// first, that neither overlap nor skip; a new message wakes the list and no
// row; a status change wakes that message's row and nothing else.

let n = 0;
const account = () => `timeline${++n}`;
const msg = (acct: string, id: string, at: number, over: Partial<StoredMessage> = {}): StoredMessage => ({ account: acct, id, peer: "bob", direction: "in", text: `text ${id}`, at, status: "received", ...over });

async function seed(messages: StoredMessage[]): Promise<void> {
  await transact(["messages"], "readwrite", async (tx) => {
    for (const m of messages) await idbPut(tx, "messages", m);
  });
}

const timelineOf = (acct: string, pageSize: number) => new Timeline("bob", (before, limit) => loadHistoryPage(acct, "bob", before, limit), pageSize);

describe("history pages", () => {
  it("come newest first, each oldest first, and together hold every message once, even many sent in the same millisecond", async () => {
    const a = account();
    // 23 messages, ten of them at the same instant, with ids out of order; another conversation and account mixed in.
    const mine = [...Array.from({ length: 13 }, (_, i) => msg(a, `m${String(i).padStart(2, "0")}`, 1_000 + i * 10)), ...Array.from({ length: 10 }, (_, i) => msg(a, `same${(7 * i) % 10}`, 1_055))];
    await seed([...mine, msg(a, "other", 1_050, { peer: "carol" }), msg(`${a}x`, "foreign", 1_050)]);
    const timeline = timelineOf(a, 5);
    const pages: string[][] = [];
    while (timeline.getState().hasOlder) {
      const before = timeline.getState().count;
      await timeline.loadOlder();
      pages.push(timeline.messages().slice(0, timeline.getState().count - before).map((m) => m.id));
    }
    const expected = [...mine].sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1)).map((m) => m.id);
    expect(timeline.messages().map((m) => m.id)).toEqual(expected);
    expect(pages[0]).toEqual(expected.slice(-5));
    expect(pages.flat().length).toBe(23);
  });

  it("refuses a page size that is not a positive integer", async () => {
    await expect(loadHistoryPage("x", "bob", null, 0)).rejects.toThrow(RangeError);
  });
});

describe("Timeline", () => {
  it("appends a new message by waking the list, not the rows", async () => {
    const a = account();
    await seed([msg(a, "old", 1)]);
    const timeline = timelineOf(a, 50);
    await timeline.loadOlder();
    const list = jest.fn();
    const row = jest.fn();
    timeline.subscribe(list);
    timeline.subscribeRow("old", row);
    const before = timeline.getState();
    timeline.upsert(msg(a, "new", 2, { direction: "out", status: "pending" }));
    expect(list).toHaveBeenCalledTimes(1);
    expect(row).not.toHaveBeenCalled();
    expect(timeline.getState()).not.toBe(before);
    expect(timeline.getState()).toMatchObject({ count: 2, prepended: 0 });
    expect(timeline.idAt(1)).toBe("new");
  });

  it("changes a status by waking that message's row only", async () => {
    const a = account();
    const timeline = timelineOf(a, 50);
    await timeline.loadOlder();
    timeline.upsert(msg(a, "one", 1, { direction: "out", status: "pending" }));
    timeline.upsert(msg(a, "two", 2, { direction: "out", status: "pending" }));
    const list = jest.fn();
    const one = jest.fn();
    const two = jest.fn();
    timeline.subscribe(list);
    timeline.subscribeRow("one", one);
    timeline.subscribeRow("two", two);
    const state = timeline.getState();
    timeline.upsert(msg(a, "two", 2, { direction: "out", status: "delivered" }));
    expect(two).toHaveBeenCalledTimes(1);
    expect(one).not.toHaveBeenCalled();
    expect(list).not.toHaveBeenCalled();
    expect(timeline.getState()).toBe(state);
    expect(timeline.get("two")?.status).toBe("delivered");
  });

  it("marks only messages still pending as waiting", async () => {
    const a = account();
    const timeline = timelineOf(a, 50);
    await timeline.loadOlder();
    timeline.upsert(msg(a, "p", 1, { direction: "out", status: "pending" }));
    timeline.upsert(msg(a, "d", 2, { direction: "out", status: "delivered" }));
    timeline.upsert(msg(a, "r", 3));
    timeline.markWaiting();
    expect(timeline.messages().map((m) => `${m.id}:${m.status}`)).toEqual(["p:waiting", "d:delivered", "r:received"]);
  });

  it("loads one page at a time however often it is asked, and keeps a message that arrived meanwhile once, at the end", async () => {
    const a = account();
    await seed(Array.from({ length: 8 }, (_, i) => msg(a, `h${i}`, 10 + i)));
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const timeline = new Timeline(
      "bob",
      async (before, limit) => {
        loads += 1;
        await gate;
        return loadHistoryPage(a, "bob", before, limit);
      },
      4,
    );
    const first = timeline.loadOlder();
    const second = timeline.loadOlder();
    expect(timeline.getState().loadingOlder).toBe(true);
    // h7 arrives live while the newest page (h4..h7) is still loading.
    timeline.upsert(msg(a, "h7", 17));
    release();
    await Promise.all([first, second]);
    expect(loads).toBe(1);
    expect(timeline.messages().map((m) => m.id)).toEqual(["h4", "h5", "h6", "h7"]);
    expect(timeline.getState()).toMatchObject({ count: 4, prepended: 3, loadingOlder: false, hasOlder: true });
    await timeline.loadOlder();
    expect(timeline.messages().map((m) => m.id)).toEqual(["h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"]);
    await timeline.loadOlder();
    expect(timeline.getState().hasOlder).toBe(false);
    expect(loads).toBe(3);
  });

  it("says whether the peer wrote anything among the loaded messages", async () => {
    const a = account();
    await seed([msg(a, "mine", 1, { direction: "out", status: "delivered" })]);
    const timeline = timelineOf(a, 50);
    await timeline.loadOlder();
    expect(timeline.getState().incoming).toBe(false);
    timeline.upsert(msg(a, "theirs", 2));
    expect(timeline.getState().incoming).toBe(true);
  });

  it("refuses a message of another conversation and an index it does not have", () => {
    const timeline = new Timeline("bob", async () => []);
    expect(() => timeline.upsert({ ...msg("a", "x", 1), peer: "carol" })).toThrow(RangeError);
    expect(() => timeline.idAt(0)).toThrow(RangeError);
  });

  it("lets the oldest loaded messages go past MAX_LOADED, and pages them in again on the way up", async () => {
    const a = account();
    await seed(Array.from({ length: MAX_LOADED + 1 }, (_, i) => msg(a, `t${String(i).padStart(4, "0")}`, 100 + i)));
    const timeline = timelineOf(a, MAX_LOADED + 2);
    await timeline.loadOlder();
    expect(timeline.getState()).toMatchObject({ count: MAX_LOADED + 1, hasOlder: false });
    timeline.trimOldest();
    expect(timeline.getState()).toMatchObject({ count: KEEP_LOADED, hasOlder: true, prepended: -(MAX_LOADED + 1 - KEEP_LOADED) });
    expect(timeline.get("t0000")).toBeUndefined();
    expect(timeline.idAt(KEEP_LOADED - 1)).toBe(`t${String(MAX_LOADED).padStart(4, "0")}`);
    // Nothing to let go under the limit.
    const state = timeline.getState();
    timeline.trimOldest();
    expect(timeline.getState()).toBe(state);
    // Back up: the page before the first kept message, exactly where it stopped.
    await timeline.loadOlder();
    expect(timeline.messages()[0]!.id).toBe("t0000");
    expect(timeline.messages().map((m) => m.id)).toEqual(Array.from({ length: MAX_LOADED + 1 }, (_, i) => `t${String(i).padStart(4, "0")}`));
  });
});

describe("LiveMessages", () => {
  const live = (id: string, at: number): StoredMessage => ({ account: "a", id, peer: "bob", direction: "in", text: id, at, status: "received" });

  it("puts what arrived this session into the pages it belongs to, each once", () => {
    const kept = new LiveMessages();
    for (const [id, at] of [["l1", 10], ["l2", 20], ["l3", 30], ["l4", 40]] as const) kept.add(live(id, at));
    // A full newest page of stored messages from 25 on: l3 and l4 belong to it, l1 and l2 to older pages.
    const newest = kept.mergeInto("bob", [live("s1", 25), live("s2", 35)], null, 2);
    expect(newest.map((m) => m.id)).toEqual(["s1", "l3", "s2", "l4"]);
    // The next page (older than s1), not full: everything older that is left.
    expect(kept.mergeInto("bob", [live("s0", 5)], { at: 25, id: "s1" }, 2).map((m) => m.id)).toEqual(["s0", "l1", "l2"]);
    // A message both stored and live is shown once.
    expect(kept.mergeInto("bob", [live("l3", 30)], null, 50).filter((m) => m.id === "l3")).toHaveLength(1);
  });
});
