import "fake-indexeddb/auto";
import { createLogKeys, createLogOpener, EPOCH_MAX_RECORDS, type LogKeys, type LogPublicBundle } from "@/lib/crypto";
import { decodeLogRecord } from "@/lib/relay/log-records";
import { readLogs } from "@/lib/relay/log-store";
import { sealedLogSink, type SealedLogSink } from "@/lib/relay/sealed-sink";
import { storeOnce } from "@/lib/store/seen-store";
import { seededRandom } from "../support/fake-link";

// The home relay's sealing as it runs in the page: each received message is
// sealed inside the transaction that marks it seen, in epochs that close by
// count, by time (a timer wipes the key even when nothing more arrives), when
// the sink is replaced, and with the page (a new sink is a new epoch).

let keys: LogKeys;
let bundle: LogPublicBundle;
let clock = 1_700_000_000_000;
let n = 0;

beforeAll(async () => {
  ({ keys, bundle } = await createLogKeys("sink passphrase!", seededRandom(30), { alg: "scrypt", N: 1024, r: 8, p: 1 }, { allowWeakParams: true }));
});

async function receive(sink: SealedLogSink, account: string, i: number) {
  const message = { account, id: `m${i}`, peer: "bob", direction: "in" as const, text: `message ${i}`, at: clock, status: "received" as const };
  await storeOnce({ account, peer: "bob", id: message.id, at: clock }, sink.stores, (tx) => sink.write(tx, message, "bob-device"));
}

async function stored(account: string): Promise<Uint8Array[]> {
  return (await readLogs(account, 0, 10_000)).map((e) => e.sealed);
}

/** The epoch (E, hex) and index of each stored version-2 record. */
const epochsOf = (sealed: Uint8Array[]) => sealed.map((s) => ({ version: s[0], E: Buffer.from(s.subarray(2, 34)).toString("hex"), index: Buffer.from(s.subarray(34, 38)).readUInt32BE() }));

async function opened(sealed: Uint8Array[]): Promise<string[]> {
  const opener = await createLogOpener(keys);
  const out = (await opener.open(sealed)).map((r) => decodeLogRecord(r!)!.text);
  opener.close();
  return out;
}

afterEach(() => jest.useRealTimers());

describe("sealedLogSink", () => {
  it("seals version-2 records in one epoch, numbered in arrival order, that the passphrase opens", async () => {
    const account = `sink${++n}`;
    const sink = sealedLogSink(account, bundle, seededRandom(31), () => clock);
    for (let i = 0; i < 5; i++) await receive(sink, account, i);
    sink.close();
    const sealed = await stored(account);
    expect(epochsOf(sealed).map((e) => [e.version, e.index])).toEqual([0, 1, 2, 3, 4].map((i) => [2, i]));
    expect(new Set(epochsOf(sealed).map((e) => e.E)).size).toBe(1);
    expect(await opened(sealed)).toEqual([0, 1, 2, 3, 4].map((i) => `message ${i}`));
  });

  it("opens a new epoch once the last is 15 minutes old, and its timer wipes the key even if nothing more arrives", async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
    const account = `sink${++n}`;
    const epochMs = 15 * 60_000;
    const sink = sealedLogSink(account, bundle, seededRandom(32), () => clock, epochMs);
    await receive(sink, account, 0);
    clock += epochMs - 1;
    await receive(sink, account, 1);
    clock += 1;
    await receive(sink, account, 2);
    const e = epochsOf(await stored(account));
    expect(e[0]!.E).toBe(e[1]!.E);
    expect(e[2]!.E).not.toBe(e[1]!.E);
    expect(e[2]!.index).toBe(0);
    // Nothing arrives for a whole epoch: the timer closes it, and the next record starts another.
    jest.advanceTimersByTime(epochMs);
    await receive(sink, account, 3);
    const after = epochsOf(await stored(account));
    expect(after[3]!.E).not.toBe(after[2]!.E);
    sink.close();
    expect(await opened(await stored(account))).toEqual(["message 0", "message 1", "message 2", "message 3"]);
  });

  it(`rolls over after ${EPOCH_MAX_RECORDS} records`, async () => {
    const account = `sink${++n}`;
    const sink = sealedLogSink(account, bundle, seededRandom(33), () => clock);
    for (let i = 0; i <= EPOCH_MAX_RECORDS; i++) await receive(sink, account, i);
    sink.close();
    const e = epochsOf(await stored(account));
    expect(new Set(e.slice(0, EPOCH_MAX_RECORDS).map((x) => x.E)).size).toBe(1);
    expect(e[EPOCH_MAX_RECORDS]).toMatchObject({ index: 0 });
    expect(e[EPOCH_MAX_RECORDS]!.E).not.toBe(e[0]!.E);
  });

  it("a new sink (a reload, logs turned off and on) starts a new epoch, and a closed sink seals in none of the old", async () => {
    const account = `sink${++n}`;
    const first = sealedLogSink(account, bundle, seededRandom(34), () => clock);
    await receive(first, account, 0);
    first.close();
    const second = sealedLogSink(account, bundle, seededRandom(35), () => clock);
    await receive(second, account, 1);
    await receive(first, account, 2); // a closed sink still works, in a fresh epoch of its own
    second.close();
    first.close();
    const e = epochsOf(await stored(account));
    expect(new Set(e.map((x) => x.E)).size).toBe(3);
    expect(await opened(await stored(account))).toEqual(["message 0", "message 1", "message 2"]);
  });
});
