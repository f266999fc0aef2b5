import "fake-indexeddb/auto";
import type { Connection } from "@/lib/chat/connections";
import { createLogKeys, deriveLogKeys, fromBase64, proveLogAccess, toBase64, type LogKeys, type LogPublicBundle, type PassphraseKdfParams } from "@/lib/crypto";
import { MAX_RECORDS_PER_CHUNK, type Frame } from "@/lib/protocol";
import { loadLockout } from "@/lib/relay/attempt-ledger";
import { CHALLENGE_TTL_MS, HomeService, LOCKOUT_MS, MAX_FAILED_PROOFS, MAX_OPEN_CHALLENGES } from "@/lib/relay/home-service";
import { decodeLogRecord } from "@/lib/relay/log-records";
import { appendLog, countLogs, readLogs } from "@/lib/relay/log-store";
import type { RelaySettings } from "@/lib/relay/relay-settings";
import { sealedLogSink } from "@/lib/relay/sealed-sink";
import { transact } from "@/lib/store/idb";
import { storeOnce } from "@/lib/store/seen-store";
import { Emitter } from "@/lib/shared/emitter";
import { createLogOpener } from "@/lib/crypto";
import { seededRandom } from "../support/fake-link";

// The home relay's side of retrieval and Clear, frame by frame, with real
// crypto and IndexedDB (fake-indexeddb). Cheap KDF parameters keep it quick;
// the production parameters are exercised in the crypto tests and the e2e.

const cheap: PassphraseKdfParams = { alg: "scrypt", N: 1024, r: 8, p: 1 };
const HOME = "home-device";
const PASS = "correct horse battery staple";
let n = 0;
let clock = 1_700_000_000_000;

interface Fixture {
  account: string;
  service: HomeService;
  bundle: LogPublicBundle;
  keys: LogKeys;
  phone: FakeConnection;
  cleared: number[];
}

/** A device's connection as the home sees it: one channel (one session id), frames recorded. */
class FakeConnection {
  sent: Frame[] = [];
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly bufferedAmountLow = new Emitter<void>();
  readonly closed = new Emitter<unknown>();
  readonly channel: { isReady: boolean; sessionId: Uint8Array; send: (frame: Frame) => boolean };
  constructor(
    readonly nickname: string,
    readonly deviceId: string,
    session = ++sessions,
  ) {
    this.channel = { isReady: true, sessionId: new Uint8Array(32).fill(session), send: (frame: Frame) => (this.sent.push(frame), true) };
  }
  get link() {
    return this;
  }
  last(): Frame {
    return this.sent.at(-1)!;
  }
  of(rid: string): Frame[] {
    return this.sent.filter((fr) => "rid" in fr && fr.rid === rid);
  }
}
let sessions = 0;

/** `records` sealed messages from bob, every seventh a 60 KB one; the home reads at most `maxRecordsPerRead` at a time. */
async function setUp(records = 0, maxRecordsPerRead?: number): Promise<Fixture> {
  const account = `alice${++n}`;
  const { keys, bundle } = await createLogKeys(PASS, seededRandom(n), cheap, { allowWeakParams: true });
  const settings: RelaySettings = { logBundle: bundle, logsEnabled: true, pingOnReceived: false };
  const cleared: number[] = [];
  const service = new HomeService({
    account,
    deviceId: HOME,
    random: seededRandom(100 + n),
    clock: () => clock,
    settings: () => settings,
    accountDevices: async () => ["home-device", "phone-device"],
    onCleared: (count) => cleared.push(count),
    maxRecordsPerRead,
  });
  const sink = sealedLogSink(account, bundle, seededRandom(200 + n), () => clock);
  for (let i = 0; i < records; i++) {
    const message = { account, id: `m${i}`, peer: "bob", direction: "in" as const, text: `message ${i} ${"x".repeat(i % 7 === 0 ? 60_000 : 10)}`, at: clock + i, status: "received" as const };
    await storeOnce({ account, peer: "bob", id: message.id, at: clock }, sink.stores, (tx) => sink.write(tx, message, "bob-device"));
  }
  // As the home does when it leaves: the open epoch wiped, and its 15-minute timer with it.
  sink.close();
  return { account, service, bundle, keys, phone: new FakeConnection(account, "phone-device"), cleared };
}

const rid = (i: number) => `${String(i).padStart(2, "0")}${"r".repeat(20)}`;
const deliver = (f: Fixture, connection: FakeConnection, frame: Frame) => f.service.onFrame(connection as unknown as Connection, frame);

async function challenge(f: Fixture, connection: FakeConnection, r: string, op: "retrieve" | "clear" = "retrieve") {
  await deliver(f, connection, { t: "log-request", rid: r, op });
  return connection.last();
}

const keysFor = new Map<string, Promise<LogKeys>>();
/** The requester's side of one proof: derive (cached per passphrase and salt), check the challenge, sign. */
async function sign(connection: FakeConnection, c: Frame, passphrase: string, op: "retrieve" | "clear" = "retrieve"): Promise<string> {
  if (c.t !== "log-challenge") throw new Error(`expected a challenge, got ${JSON.stringify(c)}`);
  const cacheKey = `${passphrase}/${c.derive.salt}`;
  if (!keysFor.has(cacheKey)) keysFor.set(cacheKey, deriveLogKeys(passphrase, fromBase64(c.derive.salt), c.derive.kdf as PassphraseKdfParams, { allowWeakParams: true }));
  const keys = await keysFor.get(cacheKey)!;
  const expected = { op, sessionId: connection.channel.sessionId, requesterDeviceId: connection.deviceId, homeDeviceId: HOME, now: clock };
  return toBase64(proveLogAccess(fromBase64(c.challenge), keys.authoritySecretKey, expected));
}

async function prove(f: Fixture, connection: FakeConnection, r: string, passphrase: string, op: "retrieve" | "clear" = "retrieve") {
  const c = await challenge(f, connection, r, op);
  if (c.t !== "log-challenge") return c;
  const proof = await sign(connection, c, passphrase, op);
  await deliver(f, connection, { t: "log-proof", rid: r, proof });
  return { challenge: c, proof };
}

describe("HomeService", () => {
  it("streams every sealed record, in chunks, to a device of the same account that proves the passphrase", async () => {
    const f = await setUp(20);
    const c = await challenge(f, f.phone, rid(1));
    expect(c).toMatchObject({ t: "log-challenge", rid: rid(1), derive: { salt: f.bundle.salt, kdf: cheap } });
    // The challenge hands out the salt and parameters, but no public key to test guesses against.
    expect(JSON.stringify(c)).not.toContain(f.bundle.authorityPublicKey);
    await prove(f, f.phone, rid(2), PASS);
    const frames = f.phone.sent.filter((fr) => "rid" in fr && fr.rid === rid(2));
    expect(frames[1]).toEqual({ t: "log-begin", rid: rid(2), total: 20 });
    const chunks = frames.filter((fr) => fr.t === "log-chunk");
    expect(chunks.length).toBeGreaterThan(1);
    const sealed = chunks.flatMap((fr) => (fr.t === "log-chunk" ? fr.records : []));
    expect(frames.at(-1)).toEqual({ t: "log-end", rid: rid(2), count: 20 });
    const opener = await createLogOpener(f.keys);
    const texts = (await opener.open(sealed.map(fromBase64))).map((r) => decodeLogRecord(r!)!.text.slice(0, 10));
    opener.close();
    expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`.padEnd(10, " ").slice(0, 10)));
    expect(await countLogs(f.account)).toBe(20); // retrieval leaves the logs in place
  });

  it("streams a log spanning several database reads exactly once, in order, no chunk over the frame's limit", async () => {
    // Reads of 64, then 100, and chunks of at most MAX_RECORDS_PER_CHUNK: chunks straddle
    // reads, one chunk is cut by the count limit, and the last read comes back
    // empty. The home never opens records, so opaque ones stand in for sealed
    // ones here (sealing hundreds is slow in Jest's sandbox).
    const f = await setUp(0, 100);
    const total = MAX_RECORDS_PER_CHUNK + 50;
    const stored = Array.from({ length: total }, (_, i) => seededRandom(1_000 + i)(48 + (i % 5)));
    await transact(["logs"], "readwrite", async (tx) => {
      for (const [i, sealed] of stored.entries()) await appendLog(tx, { account: f.account, seq: i + 1, sealed, at: clock });
    });
    await prove(f, f.phone, rid(1), PASS);
    const chunks = f.phone.sent.filter((fr) => fr.t === "log-chunk");
    expect(chunks.map((fr) => fr.seq)).toEqual([0, 1]);
    expect(chunks.map((fr) => fr.records.length)).toEqual([MAX_RECORDS_PER_CHUNK, 50]);
    expect(chunks.flatMap((fr) => fr.records)).toEqual(stored.map(toBase64));
    expect(f.phone.last()).toEqual({ t: "log-end", rid: rid(1), count: total });
  });

  it("refuses a device of another nickname, and one this account does not list, without counting a failure", async () => {
    const f = await setUp(3);
    const mallory = new FakeConnection("mallory", "mallory-device");
    expect(await challenge(f, mallory, rid(1))).toEqual({ t: "log-refused", rid: rid(1), reason: "not-same-account" });
    const stranger = new FakeConnection(f.account, "revoked-device");
    expect(await challenge(f, stranger, rid(2))).toEqual({ t: "log-refused", rid: rid(2), reason: "not-same-account" });
    // Even a correct proof from the wrong account earns nothing.
    await deliver(f, mallory, { t: "log-proof", rid: rid(1), proof: toBase64(new Uint8Array(64)) });
    expect(mallory.last()).toMatchObject({ t: "log-refused", reason: "expired" });
    expect(mallory.sent.some((fr) => fr.t === "log-chunk" || fr.t === "log-begin")).toBe(false);
    expect((await prove(f, f.phone, rid(3), PASS)) && f.phone.sent.some((fr) => fr.t === "log-begin")).toBe(true);
  });

  it("refuses a wrong passphrase and leaves the logs untouched", async () => {
    const f = await setUp(3);
    await prove(f, f.phone, rid(1), "not the passphrase at all", "clear");
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "bad-proof" });
    expect(await countLogs(f.account)).toBe(3);
  });

  it("refuses a replayed proof, and a proof for a challenge it never issued", async () => {
    const f = await setUp(2);
    const first = await prove(f, f.phone, rid(1), PASS);
    expect(f.phone.sent.some((fr) => fr.t === "log-end")).toBe(true);
    const { proof } = first as { proof: string };
    await deliver(f, f.phone, { t: "log-proof", rid: rid(1), proof });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "replayed" });
    // The same proof under a fresh request id does not verify: it signed another challenge.
    await challenge(f, f.phone, rid(2));
    await deliver(f, f.phone, { t: "log-proof", rid: rid(2), proof });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(2), reason: "bad-proof" });
    await deliver(f, f.phone, { t: "log-proof", rid: rid(9), proof });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(9), reason: "expired" });
  });

  it("deletes a challenge when it is used: a right proof after a wrong one for the same request is refused", async () => {
    const f = await setUp(2);
    const c = await challenge(f, f.phone, rid(1));
    await deliver(f, f.phone, { t: "log-proof", rid: rid(1), proof: await sign(f.phone, c, "a wrong passphrase entirely") });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "bad-proof" });
    await deliver(f, f.phone, { t: "log-proof", rid: rid(1), proof: await sign(f.phone, c, PASS) });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "replayed" });
    expect(f.phone.sent.some((fr) => fr.t === "log-begin")).toBe(false);
  });

  it("accepts a proof only on the channel its challenge was issued on", async () => {
    const f = await setUp(3);
    // The phone's challenge and proof, on its channel...
    const c = await challenge(f, f.phone, rid(1), "clear");
    const proof = await sign(f.phone, c, PASS, "clear");
    // ...presented on a second channel (another session, here the same device reconnected) is not answered,
    const second = new FakeConnection(f.account, "phone-device");
    await deliver(f, second, { t: "log-proof", rid: rid(1), proof });
    expect(second.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "expired" });
    // nor under a challenge of that channel's own: it signed the other channel's session id.
    await challenge(f, second, rid(2), "clear");
    await deliver(f, second, { t: "log-proof", rid: rid(2), proof });
    expect(second.last()).toEqual({ t: "log-refused", rid: rid(2), reason: "bad-proof" });
    expect(await countLogs(f.account)).toBe(3);
    // The relayed attempt did not use up the phone's challenge.
    await deliver(f, f.phone, { t: "log-proof", rid: rid(1), proof });
    expect(f.phone.last()).toEqual({ t: "log-cleared", rid: rid(1), count: 3 });
  });

  it("counts 16 wrong proofs that arrive together as 16, and verifies only the first five", async () => {
    const f = await setUp(1);
    expect(MAX_OPEN_CHALLENGES).toBe(16);
    const devices = Array.from({ length: 4 }, (_, i) => new FakeConnection(f.account, i === 0 ? "phone-device" : "home-device"));
    const challenges: { connection: FakeConnection; r: string; proof: string }[] = [];
    for (let i = 0; i < 16; i++) {
      const connection = devices[i % 4]!;
      const c = await challenge(f, connection, rid(i));
      challenges.push({ connection, r: rid(i), proof: await sign(connection, c, `wrong guess number ${i}`) });
    }
    // All sixteen at once, as frames arriving together are handled (the messenger does not await them).
    await Promise.all(challenges.map(({ connection, r, proof }) => deliver(f, connection, { t: "log-proof", rid: r, proof })));
    const outcomes = challenges.map(({ connection, r }) => connection.of(r).at(-1));
    expect(outcomes.filter((o) => o?.t === "log-refused" && o.reason === "bad-proof")).toHaveLength(MAX_FAILED_PROOFS);
    expect(outcomes.filter((o) => o?.t === "log-refused" && o.reason === "locked-out")).toHaveLength(16 - MAX_FAILED_PROOFS);
    expect(await loadLockout(f.account, clock)).toEqual({ failures: 16, lockedUntil: clock + LOCKOUT_MS });
    // Locked: even the right passphrase is refused now.
    expect(await challenge(f, f.phone, rid(20))).toMatchObject({ t: "log-refused", reason: "locked-out" });
  });

  it("remembers used request ids across a reload for as long as their challenge could be answered", async () => {
    const f = await setUp(1);
    await challenge(f, f.phone, rid(1));
    const reloaded = new HomeService({ ...(f.service as unknown as { deps: ConstructorParameters<typeof HomeService>[0] }).deps });
    await reloaded.onFrame(f.phone as unknown as Connection, { t: "log-request", rid: rid(1), op: "retrieve" });
    expect(f.phone.last()).toEqual({ t: "log-refused", rid: rid(1), reason: "replayed" });
    clock += CHALLENGE_TTL_MS;
    await reloaded.onFrame(f.phone as unknown as Connection, { t: "log-request", rid: rid(1), op: "retrieve" });
    expect(f.phone.last()).toMatchObject({ t: "log-challenge", rid: rid(1) });
    clock -= CHALLENGE_TTL_MS;
  });

  it("locks requests out for 15 minutes after 5 failed proofs, across a reload", async () => {
    const f = await setUp(1);
    for (let i = 0; i < MAX_FAILED_PROOFS; i++) await prove(f, f.phone, rid(i), `wrong guess number ${i}`);
    expect(await challenge(f, f.phone, rid(20))).toMatchObject({ t: "log-refused", reason: "locked-out", retryAfterMs: LOCKOUT_MS });
    // A reload is a new service over the same storage: still locked, even with the right passphrase.
    const reloaded = new HomeService({ ...(f.service as unknown as { deps: ConstructorParameters<typeof HomeService>[0] }).deps });
    const again = await reloaded.onFrame(f.phone as unknown as Connection, { t: "log-request", rid: rid(21), op: "retrieve" });
    expect(again).toBe(true);
    expect(f.phone.last()).toMatchObject({ t: "log-refused", reason: "locked-out" });
    clock += LOCKOUT_MS + 1;
    await prove(f, f.phone, rid(22), PASS);
    expect(f.phone.sent.filter((fr) => fr.t === "log-end" && fr.rid === rid(22))).toHaveLength(1);
    clock -= LOCKOUT_MS + 1;
  });

  it("clears the logs and says how many it deleted", async () => {
    const f = await setUp(4);
    await prove(f, f.phone, rid(1), PASS, "clear");
    expect(f.phone.last()).toEqual({ t: "log-cleared", rid: rid(1), count: 4 });
    expect(await countLogs(f.account)).toBe(0);
    expect(f.cleared).toEqual([4]);
    expect(await readLogs(f.account, 0, 10)).toEqual([]);
  });

  it("waits for the data channel to drain instead of buffering without bound", async () => {
    const f = await setUp(10);
    f.phone.bufferedAmount = 10 * 1024 * 1024;
    // The moment the home starts waiting for the channel to drain (it listens for bufferedamountlow).
    const low = f.phone.bufferedAmountLow;
    const waiting = new Promise<void>((resolve) => {
      const on = low.on.bind(low);
      low.on = (listener) => (resolve(), on(listener));
    });
    const done = prove(f, f.phone, rid(1), PASS);
    await waiting;
    expect(f.phone.sent.some((fr) => fr.t === "log-begin")).toBe(true);
    expect(f.phone.sent.some((fr) => fr.t === "log-chunk")).toBe(false);
    f.phone.bufferedAmount = 0;
    f.phone.bufferedAmountLow.emit();
    await done;
    expect(f.phone.sent.some((fr) => fr.t === "log-end")).toBe(true);
  });
});
