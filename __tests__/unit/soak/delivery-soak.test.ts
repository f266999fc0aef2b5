import "fake-indexeddb/auto";
import { createHash } from "node:crypto";
import { createLogKeys, createLogOpener, generateIdentity, passesKnownAnswers, tweetnaclPrimitives, type LogKeys, type LogPublicBundle } from "@/lib/crypto";
import { decodeLogRecord } from "@/lib/relay/log-records";
import { readLogs } from "@/lib/relay/log-store";
import type { StoredMessage } from "@/lib/store/history-store";
import { pinPagePrimitives } from "@/lib/this-device/page-primitives";
import { accountRange, idbGet, idbGetAll, transact } from "@/lib/store/idb";
import { allPending } from "@/lib/store/outbox-store";
import { flush, seededRandom } from "../support/fake-link";
import { nodeSyncPrimitives } from "../support/node-sync-primitives";
import { World } from "./world";

// The model-based delivery soak of docs/reliability.md. Three tabs made of
// the app's own parts (see world.ts): b and c write to each other and to a,
// whose tab is a home relay sealing what it receives into its log, and a
// writes back. Between sends a seeded scheduler cuts live peer connections
// (frames in flight are lost, as with an SCTP association), reloads or
// crashes a tab (rebuilt from storage alone, sometimes only after others
// wrote to it meanwhile), and moves the clock (and its timers) 30 to 150 s
// on, past rekeys. Then everyone comes back and the run heals. Every
// message must reach its recipient exactly once, be stored there (the home's
// copy read back from the sealed log with the passphrase's keys), leave no
// outbox entry behind, and no message may be acknowledged that its recipient
// had not stored.
//
// SOAK_SEEDS (default 50), SOAK_MESSAGES (default 40 per seed) and SOAK_SEED
// (run one seed) change the run; a failure names its seed.

const SEEDS = Number(process.env.SOAK_SEEDS ?? 50);
const MESSAGES = Number(process.env.SOAK_MESSAGES ?? 40);
const ONLY_SEED = process.env.SOAK_SEED === undefined ? undefined : Number(process.env.SOAK_SEED);
const seeds = ONLY_SEED === undefined ? Array.from({ length: SEEDS }, (_, i) => 1000 + i) : [ONLY_SEED];

/** mulberry32: the scheduler's dice, from the seed. */
function dice(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

let keys: LogKeys;
let bundle: LogPublicBundle;
let clock = 1_700_000_000_000;
const now = () => clock;

beforeAll(async () => {
  // Native X25519/Ed25519 as a tab has them, checked against the RFCs' answers first, yet settled in microtasks so that a seed replays exactly.
  expect(await passesKnownAnswers(nodeSyncPrimitives)).toBe(true);
  pinPagePrimitives(nodeSyncPrimitives);
  ({ keys, bundle } = await createLogKeys("soak passphrase!", seededRandom(7), { alg: "scrypt", N: 1024, r: 8, p: 1 }, { allowWeakParams: true }));
});
afterAll(() => pinPagePrimitives(tweetnaclPrimitives));
afterEach(() => jest.useRealTimers());

/** Lets every queued step run: IndexedDB, the fake network and the channels all move on setImmediate. */
async function settle(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await flush();
}

/** Moves the clock and every timer on, a second at a time, letting each second's work run. */
async function advance(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    const step = Math.min(1000, left);
    clock += step;
    jest.advanceTimersByTime(step);
    await settle(4);
  }
}

interface SoakResult {
  sent: number;
  injected: { cuts: number; reloads: number; clockJumps: number };
  lost: string[];
  duplicated: string[];
  ackedNotStored: string[];
  problems: string[];
  /** SHA-256 of the order of arrivals and acks. */
  trace: string;
  journal: string[];
}

/** One seeded run; `run` keeps a repeat's accounts apart from an earlier run's storage. */
async function soak(seed: number, messages: number, run = ""): Promise<SoakResult> {
  jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
  const roll = dice(seed);
  const tag = seed.toString(36);
  const [home, bob, carol] = [`${run}a${tag}`, `${run}b${tag}`, `${run}c${tag}`];
  const role = (person: string) => person.slice(run.length, run.length + 1);
  const people = [home, bob, carol] as const;
  const ids = Object.fromEntries(people.map((p, i) => [p, generateIdentity(seededRandom(seed * 7 + i + 1))]));
  const receivedCount = new Map<string, number>();
  // The order in which things happened: the same seed must replay it exactly.
  const trace = createHash("sha256");
  const world = new World({
    people,
    ids,
    clock: now,
    random: (label) => seededRandom(seed * 131 + [...label].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7)),
    home: { account: home, bundle },
    onReceived: (account, id) => {
      receivedCount.set(id, (receivedCount.get(id) ?? 0) + 1);
      trace.update(`${role(account)} got ${id};`);
    },
  });
  const sent = new Map<string, { from: string; to: string; text: string }>();
  const ackChecks: Promise<void>[] = [];
  const ackedNotStored: string[] = [];
  const injected = { cuts: 0, reloads: 0, clockJumps: 0 };
  /** What the scheduler did, in order: printed when a seed fails. */
  const journal: string[] = [];
  const offline = new Map<string, number>(); // person → steps left before the tab comes back

  /** Whether `to` has stored message `id` from `from` (the "seen" mark is written in the same transaction as the message). */
  const storedBy = (to: string, from: string, id: string) => transact(["seen"], "readonly", (tx) => idbGet(tx, "seen", [to, from, id])).then(Boolean);

  const open = async (person: string) => {
    const tab = await world.open(person);
    tab.delivery.updated.on((message) => {
      if (message.direction !== "out" || message.status !== "delivered") return;
      trace.update(`${role(person)} saw ${message.id} delivered;`);
      // The recipient committed before it acknowledged: the mark must be there when the ack is seen.
      ackChecks.push(storedBy(message.peer, person, message.id).then((ok) => void (ok || ackedNotStored.push(message.id))));
    });
    return tab;
  };
  for (const person of people) await open(person);

  let counter = 0;
  const newId = () => {
    const bytes = seededRandom(seed * 1_000_003 + ++counter)(22);
    return [...bytes].map((b) => ID_ALPHABET[b & 63]).join("");
  };

  try {
    for (let step = 0; sent.size < messages; step++) {
      for (const [person, left] of offline) {
        if (left > 0) offline.set(person, left - 1);
        else {
          offline.delete(person);
          await open(person);
          journal.push(`${role(person)} back`);
        }
      }
      const action = roll.next();
      if (action < 0.78) {
        const from = roll.pick(people.filter((p) => world.tabs.has(p)));
        if (!from) continue;
        const to = roll.pick(people.filter((p) => p !== from));
        const tab = world.tabs.get(from)!;
        const id = newId();
        const text = `${from}→${to} #${sent.size} (seed ${seed})`;
        sent.set(id, { from, to, text });
        journal.push(`${role(from)} sends ${id} to ${role(to)}`);
        const queued = tab.delivery.send(to, id, text);
        if (!tab.reach.connected(to)) void tab.reach.reach(to);
        // Sometimes the sender's next step comes before the outbox write is durable.
        if (roll.next() < 0.5) await queued;
      } else if (action < 0.86) {
        if (world.cutOne(roll.int)) {
          injected.cuts++;
          journal.push("a peer connection cut");
        }
      } else if (action < 0.95) {
        const person = roll.pick(people.filter((p) => world.tabs.has(p)));
        if (person) {
          world.drop(person);
          injected.reloads++;
          journal.push(`${role(person)} reloads or crashes`);
          // Straight back (a reload), or after others have written for a while (a crash, a closed laptop).
          if (roll.next() < 0.5) await open(person);
          else offline.set(person, 1 + roll.int(6));
        }
      } else {
        injected.clockJumps++;
        const ms = 30_000 + roll.int(121) * 1000;
        journal.push(`the clock jumps ${ms / 1000} s`);
        await advance(ms);
      }
      await settle(roll.int(6));
    }

    // Everyone back; the run heals: presence watches and reconnects do their work as time passes.
    for (const person of offline.keys()) await open(person);
    offline.clear();
    const outstanding = async () => {
      const pending = (await Promise.all(people.map((p) => allPending(p)))).flat();
      const unreceived = [...sent.keys()].filter((id) => !receivedCount.has(id));
      return pending.length + unreceived.length;
    };
    for (let second = 0; second < 600 && (await outstanding()) > 0; second++) {
      await advance(1000);
    }
    await settle(20);
    await Promise.all(ackChecks);

    // What each recipient holds: b and c in their history, the home in its sealed log.
    const problems: string[] = [];
    const storedCount = new Map<string, number>();
    const count = (id: string) => storedCount.set(id, (storedCount.get(id) ?? 0) + 1);
    for (const person of people) {
      const history = await transact(["messages"], "readonly", (tx) => idbGetAll<StoredMessage>(tx, "messages", accountRange(person)));
      for (const m of history) {
        // The home keeps what it receives in its sealed log only.
        if (m.direction === "in" && person === home) problems.push(`the home holds ${m.id} in plain history`);
        else if (m.direction === "in") {
          count(m.id);
          if (sent.get(m.id)?.text !== m.text || sent.get(m.id)?.to !== person) problems.push(`${person} holds ${m.id} with the wrong text or recipient`);
        } else if (m.status !== "delivered") problems.push(`${person}'s own ${m.id} ends ${m.status}, not delivered`);
      }
    }
    const opener = await createLogOpener(keys);
    const sealed = (await readLogs(home, 0, 1_000_000)).map((e) => e.sealed);
    for (const [i, bytes] of (await opener.open(sealed)).entries()) {
      const record = bytes && decodeLogRecord(bytes);
      if (!record) problems.push(`home log record ${i} does not open`);
      else {
        count(record.id);
        if (sent.get(record.id)?.text !== record.text || sent.get(record.id)?.to !== home) problems.push(`home log holds ${record.id} with the wrong text or recipient`);
      }
    }
    opener.close();
    for (const person of people) {
      const left = await allPending(person);
      if (left.length > 0) problems.push(`${person}'s outbox still holds ${left.length}`);
    }
    const lost = [...sent.keys()].filter((id) => !storedCount.has(id) || !receivedCount.has(id));
    const duplicated = [...sent.keys()].filter((id) => (storedCount.get(id) ?? 0) > 1 || (receivedCount.get(id) ?? 0) > 1);
    for (const id of storedCount.keys()) if (!sent.has(id)) problems.push(`${id} was stored but never sent`);
    return { sent: sent.size, injected, lost, duplicated, ackedNotStored, problems, trace: trace.digest("hex"), journal };
  } finally {
    world.close();
    await settle(10);
    jest.clearAllTimers();
    jest.useRealTimers();
  }
}

interface Totals {
  seeds: number[];
  sent: number;
  cuts: number;
  reloads: number;
  clockJumps: number;
  lost: number;
  duplicated: number;
  ackedNotStored: number;
}
const newTotals = (): Totals => ({ seeds: [], sent: 0, cuts: 0, reloads: 0, clockJumps: 0, lost: 0, duplicated: 0, ackedNotStored: 0 });

/** The row of docs/reliability.md for a set of seeds, from what they measured. */
function reportRow(t: Totals, messages: number): string {
  const seedList = t.seeds.length === 1 ? `${t.seeds[0]}` : `${t.seeds.length}: ${t.seeds[0]}…${t.seeds.at(-1)}`;
  const command = t.seeds.length === 1 ? `SOAK_SEED=${t.seeds[0]} SOAK_MESSAGES=${messages}` : `SOAK_SEEDS=${t.seeds.length} SOAK_MESSAGES=${messages}`;
  return `| Model (Jest), ${messages} messages per seed | ${t.sent} | ${t.cuts} cuts, ${t.reloads} reloads or crashes, ${t.clockJumps} clock jumps of 30–150 s | ${t.lost} | ${t.duplicated} | ${t.ackedNotStored} | ${seedList} | \`${command} npx jest __tests__/unit/soak --selectProjects unit\` |`;
}

/** Runs one seed, adds it to `totals`, and fails with the seed and its last steps if anything was lost, doubled or acked unstored. */
async function soakAndCheck(seed: number, messages: number, totals: Totals): Promise<void> {
  const result = await soak(seed, messages);
  totals.seeds.push(seed);
  totals.sent += result.sent;
  totals.cuts += result.injected.cuts;
  totals.reloads += result.injected.reloads;
  totals.clockJumps += result.injected.clockJumps;
  totals.lost += result.lost.length;
  totals.duplicated += result.duplicated.length;
  totals.ackedNotStored += result.ackedNotStored.length;
  const faults = result.injected.cuts + result.injected.reloads + result.injected.clockJumps;
  if (result.lost.length + result.duplicated.length + result.ackedNotStored.length + result.problems.length > 0) {
    console.log(`seed ${seed} failed (rerun: SOAK_SEED=${seed} SOAK_MESSAGES=${messages}); its last steps:\n${result.journal.slice(-30).join("\n")}`);
  }
  // The run did what it claims: it sent, and it injected faults (a seed without any would prove little).
  expect(result.sent).toBe(messages);
  expect(faults).toBeGreaterThan(0);
  expect({ seed, lost: result.lost, duplicated: result.duplicated, ackedNotStored: result.ackedNotStored, problems: result.problems }).toEqual({
    seed,
    lost: [],
    duplicated: [],
    ackedNotStored: [],
    problems: [],
  });
}

describe(`model-based delivery soak, ${seeds.length} seeds × ${MESSAGES} messages (SOAK_SEED=N reruns one)`, () => {
  const totals = newTotals();
  afterAll(() => console.log(reportRow(totals, MESSAGES)));

  it.each(seeds)("seed %i: every message stored exactly once by its recipient, no outbox left, nothing acked unstored", (seed) => soakAndCheck(seed, MESSAGES, totals), 120_000);
});

// One long run besides the many short ones: 1,000 messages through one world (SOAK_LONG=0 leaves it out).
const LONG = Number(process.env.SOAK_LONG ?? 1000);
if (ONLY_SEED === undefined && LONG > 0) {
  describe(`model-based delivery soak, one seed × ${LONG} messages`, () => {
    const totals = newTotals();
    afterAll(() => console.log(reportRow(totals, LONG)));
    it(`seed 7: ${LONG} messages, each stored exactly once, no outbox left, nothing acked unstored`, () => soakAndCheck(7, LONG, totals), 300_000);
  });
}

test("a seed replays: the same seed gives the same arrivals and acks in the same order", async () => {
  const seed = seeds[0]! + 100_000;
  const [first, second] = [await soak(seed, 20, "r"), await soak(seed, 20, "s")];
  expect(first.sent).toBe(20);
  expect(second.trace).toBe(first.trace);
  // ...and a different seed does not (the trace measures something).
  expect((await soak(seed + 1, 20, "t")).trace).not.toBe(first.trace);
}, 60_000);
