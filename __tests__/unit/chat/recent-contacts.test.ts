import "fake-indexeddb/auto";
import { RecentContacts, type ContactView, type LastMessage } from "@/lib/chat/recent-contacts";
import type { StoredMessage } from "@/lib/store/history-store";

// The conversation list's rows: most recent first, unread counts of this
// session, and each conversation's newest message (read from the history once,
// then kept current by the messages this tab sees).

let account = 0;
const message = (peer: string, id: string, at: number, direction: "in" | "out" = "in", text = `text ${id}`): StoredMessage => ({ account: "me", id, peer, direction, text, at, status: direction === "in" ? "received" : "pending" });

function contacts(loadLast: (peer: string) => Promise<LastMessage | null> = async () => null) {
  const published: ContactView[][] = [];
  let now = 1_000;
  const recent = new RecentContacts(`account-${++account}`, () => (now += 1_000), (list) => published.push(list), () => false, loadLast);
  return { recent, published, latest: () => published.at(-1)! };
}

describe("RecentContacts", () => {
  it("puts the most recent conversation first", async () => {
    const { recent, latest } = contacts();
    await recent.note("bob");
    await recent.note("carol");
    expect(latest().map((c) => c.nickname)).toEqual(["carol", "bob"]);
    await recent.note("bob");
    expect(latest().map((c) => c.nickname)).toEqual(["bob", "carol"]);
  });

  it("counts unread messages until the conversation is read", async () => {
    const { recent, latest } = contacts();
    await recent.note("bob");
    recent.markUnread("bob");
    recent.markUnread("bob");
    await recent.note("bob");
    expect(latest()[0]).toMatchObject({ nickname: "bob", unread: 2 });
    recent.markRead("bob");
    expect(latest()[0]).toMatchObject({ nickname: "bob", unread: 0 });
  });

  it("reads each conversation's newest message from the history once", async () => {
    const asked: string[] = [];
    const { recent, latest } = contacts(async (peer) => (asked.push(peer), peer === "bob" ? { id: "h1", text: "from history", at: 5, direction: "in" } : null));
    await recent.note("bob");
    await recent.note("carol");
    await recent.refresh();
    expect(asked.sort()).toEqual(["bob", "carol"]);
    expect(latest().map((c) => [c.nickname, c.last?.text ?? null])).toEqual([
      ["carol", null],
      ["bob", "from history"],
    ]);
  });

  it("shows the newest message seen, not an older one that arrives later", async () => {
    const { recent, latest } = contacts();
    await recent.note("bob");
    recent.noteMessage(message("bob", "b", 200, "out", "newer"));
    recent.noteMessage(message("bob", "a", 100, "in", "older, delayed"));
    await recent.note("bob");
    expect(latest()[0]!.last).toEqual({ id: "b", text: "newer", at: 200, direction: "out" });
    // The same message again (its status changed) keeps its place.
    recent.noteMessage({ ...message("bob", "b", 200, "out", "newer"), status: "delivered" });
    recent.noteMessage(message("bob", "c", 300, "in", "newest"));
    await recent.note("bob");
    expect(latest()[0]!.last?.text).toBe("newest");
  });

  it("keeps the list's identity when nothing in it changed", async () => {
    const { recent, published } = contacts();
    await recent.note("bob");
    const count = published.length;
    await recent.note("bob"); // on top and touched within the minute: no write, nothing new
    recent.markRead("bob");
    expect(published).toHaveLength(count);
  });
});
