import "fake-indexeddb/auto";
import { createLogKeys, type PassphraseKdfParams } from "@/lib/crypto";
import { exportLogs, importLogs } from "@/lib/relay/export-file";
import { groupByPeer, type LogRecord } from "@/lib/relay/log-records";
import { PingScheduler } from "@/lib/relay/ping-scheduler";
import { sealedLogSink } from "@/lib/relay/sealed-sink";
import { storeOnce } from "@/lib/store/seen-store";
import { seededRandom } from "../support/fake-link";

const cheap: PassphraseKdfParams = { alg: "scrypt", N: 1024, r: 8, p: 1 };
/** The cheapest argon2id the floor accepts (the default's cost is measured in the bench, not here). */
const atFloor: PassphraseKdfParams = { alg: "argon2id", m: 7168, t: 5, p: 1 };

describe("export and import", () => {
  it("exports sealed records that open on import with the passphrase, and only with it", async () => {
    const account = "exporter";
    const { bundle } = await createLogKeys("the log passphrase", seededRandom(5), cheap, { allowWeakParams: true });
    const sink = sealedLogSink(account, bundle, seededRandom(6), () => 1000);
    for (const [i, text] of ["first", "second ✓"].entries()) {
      const message = { account, id: `id${i}`, peer: "bob", direction: "in" as const, text, at: 10 + i, status: "received" as const };
      await storeOnce({ account, peer: "bob", id: message.id, at: 1 }, sink.stores, (tx) => sink.write(tx, message, "bob-dev"));
    }
    // As the home does when it leaves: the open epoch wiped, and its 15-minute timer with it.
    sink.close();
    const file = await exportLogs(account, bundle, 2000);
    expect(file).not.toContain("first");
    // Weak parameters are refused on import outside tests; this bundle was made with them on purpose.
    await expect(importLogs(file, "the log passphrase")).rejects.toThrow("weaker, or heavier, than CommunisP accepts");
    const strong = await createLogKeys("the log passphrase", seededRandom(7), atFloor);
    const sink2 = sealedLogSink("exporter2", strong.bundle, seededRandom(8), () => 1000);
    await storeOnce({ account: "exporter2", peer: "carol", id: "c1", at: 1 }, sink2.stores, (tx) =>
      sink2.write(tx, { account: "exporter2", id: "c1", peer: "carol", direction: "in", text: "hello from carol", at: 5, status: "received" }, "carol-dev"),
    );
    sink2.close();
    const file2 = await exportLogs("exporter2", strong.bundle, 2000);
    const opened = await importLogs(file2, "the log passphrase");
    expect(opened).toMatchObject({ total: 1, unreadable: 0 });
    expect(opened.records[0]).toMatchObject({ from: "carol", fromDevice: "carol-dev", text: "hello from carol", sentAt: 5, receivedAt: 1000 });
    await expect(importLogs(file2, "a wrong passphrase")).rejects.toThrow("Wrong log passphrase for this file.");
    await expect(importLogs("{}", "the log passphrase")).rejects.toThrow("not a CommunisP log export");
  }, 60_000);
});

describe("groupByPeer", () => {
  it("groups by who reached out, most recent first, each in time order", () => {
    const r = (from: string, sentAt: number): LogRecord => ({ v: 1, id: `${from}${sentAt}`, from, fromDevice: "d", sentAt, receivedAt: sentAt, text: `${from}@${sentAt}` });
    const groups = groupByPeer([r("bob", 3), r("carol", 1), r("bob", 2), r("carol", 9)]);
    expect(groups.map((g) => g.peer)).toEqual(["carol", "bob"]);
    expect(groups[1]!.records.map((x) => x.sentAt)).toEqual([2, 3]);
  });
});

describe("PingScheduler", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("pings at once, then at most once per 30 s with the count of everything in between", async () => {
    let now = 0;
    const sent: number[] = [];
    const scheduler = new PingScheduler(async (count) => (sent.push(count), {}), () => now);
    scheduler.add();
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]);
    for (let i = 0; i < 4; i++) scheduler.add();
    now += 10_000;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([1]);
    now += 20_000;
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sent).toEqual([1, 4]);
  });

  it("keeps the count and retries when the server says too soon, or the network fails", async () => {
    let now = 0;
    const sent: number[] = [];
    let answer: "429" | "fail" | "ok" = "429";
    const scheduler = new PingScheduler(async (count) => {
      if (answer === "fail") throw new Error("offline");
      if (answer === "429") return { retryAfterSec: 12 };
      sent.push(count);
      return {};
    }, () => now);
    scheduler.add(2);
    await jest.advanceTimersByTimeAsync(0);
    answer = "fail";
    now += 12_000;
    await jest.advanceTimersByTimeAsync(12_000);
    answer = "ok";
    now += 30_000;
    await jest.advanceTimersByTimeAsync(30_000);
    expect(sent).toEqual([2]);
  });
});
