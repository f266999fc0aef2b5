// Model-based property tests: fast-check draws schedules of sends,
// deliveries in any order, drops, replays, bit flips, clock advances, rekeys
// and serialisation for two parties, and checks every step against a model
// of what must happen. The main model also runs on native X25519 that yields
// before answering, with the receiver sending while its decryption waits.
import fc from "fast-check";
import {
  createRekey,
  ratchetDecrypt,
  ratchetEncrypt,
  rekeyDue,
  sessionFromJSON,
  sessionToJSON,
  tweetnaclPrimitives,
  webCryptoPrimitives,
  type Primitives,
  type RandomSource,
  type Session,
} from "@/lib/crypto";
import { decodeMessage } from "@/lib/crypto/message-format";
import { handshakeFrom } from "./support/pair";
import { seededRandom } from "./support/random";
import { generateIdentity } from "@/lib/crypto";

type Side = 0 | 1;
interface InFlight {
  wire: Uint8Array;
  plaintext: string;
  kind: "data" | "rekey-request" | "rekey-answer";
}

const json = (s: Session): string => JSON.stringify(sessionToJSON(s));
const revive = (s: Session): Session => sessionFromJSON(JSON.parse(json(s)));
const decoder = new TextDecoder();

let base: [string, string];
beforeAll(async () => {
  const r = seededRandom("properties");
  const ids = [generateIdentity(r), generateIdentity(r)] as const;
  // Skipped keys live as long as the test: their expiry has its own test.
  const [s0, s1] = await handshakeFrom([ids[0], ids[1]], r, 0, { skippedKeyTtlMs: 10 ** 12 });
  base = [json(s0), json(s1)];
});

const command = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("send" as const), from: fc.constantFrom<Side>(0, 1), body: fc.string({ maxLength: 24 }) }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant("deliver" as const), to: fc.constantFrom<Side>(0, 1), pick: fc.nat() }), weight: 6 },
  // The receiver sends while its decryption waits on a DH (native X25519 is asynchronous).
  { arbitrary: fc.record({ op: fc.constant("deliver-while-sending" as const), to: fc.constantFrom<Side>(0, 1), pick: fc.nat(), body: fc.string({ maxLength: 8 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("drop" as const), to: fc.constantFrom<Side>(0, 1), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("replay" as const), to: fc.constantFrom<Side>(0, 1), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("flip" as const), to: fc.constantFrom<Side>(0, 1), pick: fc.nat(), bit: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 40_000 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("rekey" as const), from: fc.constantFrom<Side>(0, 1) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("serialise" as const), who: fc.constantFrom<Side>(0, 1) }), weight: 1 },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

interface World {
  primitives: Primitives;
  s: [Session, Session];
  rng: [RandomSource, RandomSource];
  queue: [InFlight[], InFlight[]]; // queue[i]: messages on their way to side i
  delivered: [Uint8Array[], Uint8Array[]];
  now: number;
  trace: string[];
}

/** Native X25519 that also yields to the event loop before answering, as a busy page would. */
const native = webCryptoPrimitives(globalThis.crypto.subtle);
const slowNative: Primitives = {
  ...native,
  name: "webcrypto (yielding)",
  x25519: async (pair, pub) => {
    await new Promise((r) => setImmediate(r));
    return native.x25519(pair, pub);
  },
};

function newWorld(primitives: Primitives = tweetnaclPrimitives): World {
  return {
    primitives,
    s: [sessionFromJSON(JSON.parse(base[0])), sessionFromJSON(JSON.parse(base[1]))],
    rng: [seededRandom("party-0"), seededRandom("party-1")],
    queue: [[], []],
    delivered: [[], []],
    now: 1,
    trace: [],
  };
}

function pickIndex<T>(list: T[], pick: number): number {
  return list.length === 0 ? -1 : pick % list.length;
}

async function step(w: World, c: Command): Promise<void> {
  switch (c.op) {
    case "send": {
      const wire = ratchetEncrypt(w.s[c.from], new TextEncoder().encode(c.body), w.now);
      w.trace.push(Buffer.from(wire).toString("hex"));
      w.queue[(1 - c.from) as Side].push({ wire, plaintext: c.body, kind: "data" });
      return;
    }
    case "rekey": {
      if (!rekeyDue(w.s[c.from], w.now)) return;
      const wire = createRekey(w.s[c.from], w.now);
      w.trace.push(Buffer.from(wire).toString("hex"));
      const kind = decodeMessage(wire).header.flags === 1 ? "rekey-request" : "rekey-answer";
      w.queue[(1 - c.from) as Side].push({ wire, plaintext: "", kind });
      return;
    }
    case "deliver": {
      const i = pickIndex(w.queue[c.to], c.pick);
      if (i < 0) return;
      const [m] = w.queue[c.to].splice(i, 1) as [InFlight];
      const r = await ratchetDecrypt(w.s[c.to], m.wire, w.now, w.rng[c.to], w.primitives);
      if (!r.ok) throw new Error(`a delivered message was refused: ${r.code}`);
      expect(decoder.decode(r.plaintext)).toBe(m.plaintext);
      expect(r.kind).toBe(m.kind);
      w.delivered[c.to].push(m.wire);
      // Forward secrecy: the state now held cannot read the message again.
      expect((await ratchetDecrypt(revive(w.s[c.to]), m.wire, w.now, seededRandom("fs"), w.primitives)).ok).toBe(false);
      return;
    }
    case "deliver-while-sending": {
      const i = pickIndex(w.queue[c.to], c.pick);
      if (i < 0) return;
      const [m] = w.queue[c.to].splice(i, 1) as [InFlight];
      // Not awaited yet: the send below runs while the decryption waits on its DH.
      const pending = ratchetDecrypt(w.s[c.to], m.wire, w.now, w.rng[c.to], w.primitives);
      await step(w, { op: "send", from: c.to, body: c.body });
      const r = await pending;
      if (!r.ok) throw new Error(`a delivered message was refused: ${r.code}`);
      expect(decoder.decode(r.plaintext)).toBe(m.plaintext);
      w.delivered[c.to].push(m.wire);
      return;
    }
    case "drop": {
      const i = pickIndex(w.queue[c.to], c.pick);
      if (i >= 0) w.queue[c.to].splice(i, 1);
      return;
    }
    case "replay": {
      const i = pickIndex(w.delivered[c.to], c.pick);
      if (i < 0) return;
      const before = json(w.s[c.to]);
      expect(await ratchetDecrypt(w.s[c.to], w.delivered[c.to][i] as Uint8Array, w.now, w.rng[c.to], w.primitives)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
      expect(json(w.s[c.to])).toBe(before);
      return;
    }
    case "flip": {
      const i = pickIndex(w.queue[c.to], c.pick);
      if (i < 0) return;
      const bad = (w.queue[c.to][i] as InFlight).wire.slice();
      const bit = c.bit % (bad.length * 8);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      const before = json(w.s[c.to]);
      expect((await ratchetDecrypt(w.s[c.to], bad, w.now, w.rng[c.to], w.primitives)).ok).toBe(false);
      expect(json(w.s[c.to])).toBe(before);
      return;
    }
    case "advance":
      w.now += c.ms;
      return;
    case "serialise": {
      const before = json(w.s[c.who]);
      w.s[c.who] = sessionFromJSON(JSON.parse(before));
      expect(json(w.s[c.who])).toBe(before);
      return;
    }
  }
}

describe("ratchet properties", () => {
  it.each([
    ["tweetnacl", tweetnaclPrimitives, 30],
    ["native WebCrypto, yielding before every DH", slowNative, 15],
  ] as const)("delivers every message exactly once in any order, and refuses replays and flipped bits (%s)", async (_name, primitives, numRuns) => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (cmds) => {
        const w = newWorld(primitives);
        for (const c of cmds) await step(w, c);
        // Whatever is still in flight is delivered at the end, in reverse order.
        for (const to of [0, 1] as const) {
          while (w.queue[to].length > 0) await step(w, { op: "deliver", to, pick: w.queue[to].length - 1 });
        }
      }),
      { numRuns },
    );
  });

  it("changes nothing when the state is serialised and restored at any point", async () => {
    const noSerialise = command.filter((c) => c.op !== "serialise");
    await fc.assert(
      fc.asyncProperty(fc.array(noSerialise, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), async (cmds, at) => {
        const plain = newWorld();
        for (const c of cmds) await step(plain, c);
        const saved = newWorld();
        for (const [i, c] of cmds.entries()) {
          for (const who of [0, 1] as const) if (at.includes(i * 2 + who)) await step(saved, { op: "serialise", who });
          await step(saved, c);
        }
        expect(saved.trace).toEqual(plain.trace);
        expect([json(saved.s[0]), json(saved.s[1])]).toEqual([json(plain.s[0]), json(plain.s[1])]);
      }),
      { numRuns: 15 },
    );
  });

  it("has changed both sides' header ratchet keys once 60 s have passed, whoever speaks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ from: fc.constantFrom<Side>(0, 1), gap: fc.integer({ min: 1, max: 15_000 }) }), { maxLength: 8 }), async (talk) => {
        const w = newWorld();
        const keyOf = (side: Side) => Buffer.from(sessionToJSON(w.s[side]).dhs.publicKey, "base64").toString("hex");
        const first = [keyOf(0), keyOf(1)];
        const settle = async () => {
          for (let round = 0; round < 6; round++) {
            for (const from of [0, 1] as const) {
              await step(w, { op: "rekey", from });
              await step(w, { op: "deliver", to: (1 - from) as Side, pick: 0 });
            }
          }
        };
        for (const t of talk) {
          await step(w, { op: "advance", ms: t.gap });
          await step(w, { op: "send", from: t.from, body: "x" });
          await step(w, { op: "deliver", to: (1 - t.from) as Side, pick: 0 });
          await settle();
        }
        await step(w, { op: "advance", ms: 60_000 });
        await settle();
        expect(keyOf(0)).not.toBe(first[0]);
        expect(keyOf(1)).not.toBe(first[1]);
        expect(rekeyDue(w.s[0], w.now) || rekeyDue(w.s[1], w.now)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });

  it("never throws on random bytes and leaves the state untouched", async () => {
    const w = newWorld();
    const before = json(w.s[1]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, realPrefix) => {
        const wire = realPrefix && bytes.length > 3 ? Uint8Array.of(1, 3, 0, ...bytes) : bytes;
        expect((await ratchetDecrypt(w.s[1], wire, w.now, w.rng[1])).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(json(w.s[1])).toBe(before);
  });
});
