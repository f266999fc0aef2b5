import "fake-indexeddb/auto";
import { loadHistoryPage } from "@/lib/store/history-store";
import { idbGetAll, idbPut, transact } from "@/lib/store/idb";
import { acknowledge, allPending, enqueueOutgoing, pendingFor } from "@/lib/store/outbox-store";
import { pruneSeen, SEEN_TTL_MS, storeOnce } from "@/lib/store/seen-store";

// IndexedDB logic against fake-indexeddb: the stores are plain data logic,
// and the real browser runs the same code in the end-to-end tests.

let n = 0;
const account = () => `acct${++n}`;
const entry = (acct: string, id: string, to = "bob", at = 1000) => ({ account: acct, id, to, text: `text ${id}`, sentAt: at, createdAt: at });

describe("outbox", () => {
  it("keeps a message with its history record until the recipient acknowledges it", async () => {
    const a = account();
    await enqueueOutgoing(entry(a, "m1"));
    await enqueueOutgoing(entry(a, "m2", "carol"));
    expect((await pendingFor(a, "bob")).map((e) => e.id)).toEqual(["m1"]);
    expect((await allPending(a)).map((e) => e.id).sort()).toEqual(["m1", "m2"]);
    expect((await loadHistoryPage(a, "bob", null, 50))[0]).toMatchObject({ id: "m1", direction: "out", status: "pending" });

    const delivered = await acknowledge(a, "m1", "bob");
    expect(delivered).toMatchObject({ id: "m1", status: "delivered" });
    expect(await pendingFor(a, "bob")).toEqual([]);
    expect((await loadHistoryPage(a, "bob", null, 50))[0]?.status).toBe("delivered");
  });

  it("ignores an ack from someone the message was not sent to, and a second ack", async () => {
    const a = account();
    await enqueueOutgoing(entry(a, "m1"));
    expect(await acknowledge(a, "m1", "mallory")).toBeNull();
    expect((await pendingFor(a, "bob")).length).toBe(1);
    expect(await acknowledge(a, "m1", "bob")).not.toBeNull();
    expect(await acknowledge(a, "m1", "bob")).toBeNull();
    expect(await acknowledge(a, "never-sent", "bob")).toBeNull();
  });

  it("keeps accounts apart", async () => {
    const a = account();
    const b = account();
    await enqueueOutgoing(entry(a, "same-id"));
    expect(await allPending(b)).toEqual([]);
    expect(await acknowledge(b, "same-id", "bob")).toBeNull();
    expect((await allPending(a)).length).toBe(1);
  });

  it("lists pending messages in the order they were written", async () => {
    const a = account();
    for (const [id, at] of [["c", 3], ["a", 1], ["b", 2]] as const) await enqueueOutgoing(entry(a, id, "bob", at));
    expect((await pendingFor(a, "bob")).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });
});

describe("dedupe (storeOnce)", () => {
  it("stores a message once however often it arrives, per sender", async () => {
    const a = account();
    const write = (id: string, peer: string) =>
      storeOnce({ account: a, peer, id, at: 1 }, ["messages"], (tx) => idbPut(tx, "messages", { account: a, id: `${peer}:${id}`, peer, direction: "in", text: id, at: 1, status: "received" }));
    expect(await write("x", "bob")).toBe(true);
    expect(await write("x", "bob")).toBe(false);
    expect(await write("x", "bob")).toBe(false);
    // Another sender reusing the id does not suppress this one, nor the other way round.
    expect(await write("x", "mallory")).toBe(true);
    expect((await loadHistoryPage(a, "bob", null, 50)).length).toBe(1);
  });

  it("writes nothing, not even the seen mark, when the store step fails", async () => {
    const a = account();
    const failing = storeOnce({ account: a, peer: "bob", id: "y", at: 1 }, ["messages"], async () => {
      throw new Error("disk full");
    });
    await expect(failing).rejects.toThrow("disk full");
    expect(await storeOnce({ account: a, peer: "bob", id: "y", at: 1 }, ["messages"], async () => undefined)).toBe(true);
  });

  it("forgets ids older than the retention window", async () => {
    const a = account();
    const now = 10 * SEEN_TTL_MS;
    await storeOnce({ account: a, peer: "bob", id: "old", at: now - SEEN_TTL_MS - 1 }, [], async () => undefined);
    await storeOnce({ account: a, peer: "bob", id: "new", at: now - 1000 }, [], async () => undefined);
    expect(await pruneSeen(a, now)).toBe(1);
    const left = await transact(["seen"], "readonly", (tx) => idbGetAll<{ id: string; account: string }>(tx, "seen"));
    expect(left.filter((e) => e.account === a).map((e) => e.id)).toEqual(["new"]);
  });
});
