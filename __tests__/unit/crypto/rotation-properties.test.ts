// Property tests (fast-check) for the W Ratchet's enforced rotation
// (docs/protocol.md "Rekey"): two parties that follow the caller's loop never
// trip either rule and never keep a chain past the bound; a peer that does
// not answer is cut off exactly two periods after the first request; a
// receiver refuses a peer chain exactly when it is older than the limit, and
// the refusal changes nothing.
import fc from "fast-check";
import {
  createRekey,
  msUntilNextCheck,
  ratchetDecrypt,
  ratchetEncrypt,
  REKEY_GRACE_MS,
  REKEY_PERIODS,
  rekeyDue,
  rekeyOverdue,
  ROTATE_MS,
  sessionFromJSON,
  sessionToJSON,
  type RandomSource,
  type Session,
} from "@/lib/crypto";
import { handshakeFrom, text } from "./support/pair";
import { seededRandom } from "./support/random";
import { generateIdentity } from "@/lib/crypto";

const LIMIT = REKEY_PERIODS * ROTATE_MS + REKEY_GRACE_MS;
let base: [string, string];
let random: RandomSource;

beforeAll(async () => {
  random = seededRandom("rotation-properties");
  const ids = [generateIdentity(random), generateIdentity(random)] as const;
  const [s0, s1] = await handshakeFrom([ids[0], ids[1]], random, 0);
  base = [JSON.stringify(sessionToJSON(s0)), JSON.stringify(sessionToJSON(s1))];
});
const fresh = (): [Session, Session] => [sessionFromJSON(JSON.parse(base[0])), sessionFromJSON(JSON.parse(base[1]))];

const events = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("send" as const), from: fc.constantFrom<0 | 1>(0, 1) }),
    fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 50_000 }) }),
  ),
  { maxLength: 40 },
);

async function deliver(to: Session, wire: Uint8Array, now: number) {
  const r = await ratchetDecrypt(to, wire, now, random);
  if (!r.ok) throw new Error(`refused: ${r.code} at ${now}`);
  return r;
}

describe("the enforced rotation (fast-check)", () => {
  it("two cooperating parties never trip either rule, and no sending chain outlives two periods", async () => {
    await fc.assert(
      fc.asyncProperty(events, async (script) => {
        const s = fresh();
        let now = 0;
        // Each side's timer fires at its msUntilNextCheck deadline; what it sends arrives at once, and an answer due goes out on receipt.
        const check = async (i: 0 | 1): Promise<void> => {
          expect(rekeyOverdue(s[i], now)).toBe(false);
          if (rekeyDue(s[i], now)) {
            const r = await deliver(s[1 - i]!, createRekey(s[i], now), now);
            if (r.answerDue) await check((1 - i) as 0 | 1);
          }
        };
        const advance = async (ms: number) => {
          const target = now + ms;
          for (;;) {
            const next = Math.min(...[0, 1].map((i) => now + msUntilNextCheck(s[i]!, now)));
            if (next > target) break;
            now = next;
            await check(0);
            await check(1);
          }
          now = target;
        };
        for (const e of script) {
          if (e.op === "wait") await advance(e.ms);
          else {
            const r = await deliver(s[1 - e.from]!, ratchetEncrypt(s[e.from], text("data"), now), now);
            if (r.answerDue) await check((1 - e.from) as 0 | 1);
          }
          for (const side of s) expect(now - side.sendingChainSince).toBeLessThanOrEqual(2 * ROTATE_MS);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a peer that never answers is cut off exactly two periods after the first request, not before", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 20 }), (gaps) => {
        const [a] = fresh();
        let now = 0;
        let firstRequest: number | null = null;
        for (const gap of gaps) {
          now += gap;
          // A's loop: data, and rekey requests when due; nothing ever comes back.
          if (rekeyOverdue(a, now)) break;
          if (rekeyDue(a, now)) {
            createRekey(a, now);
            firstRequest ??= now;
          } else ratchetEncrypt(a, text("x"), now);
        }
        const limit = REKEY_PERIODS * ROTATE_MS;
        if (firstRequest === null) return expect(rekeyOverdue(a, now)).toBe(false);
        expect(rekeyOverdue(a, firstRequest + limit - 1)).toBe(false);
        expect(rekeyOverdue(a, firstRequest + limit)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("a receiver refuses a peer chain exactly when it began here more than two periods + grace ago, leaving its state as it was", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 2 * LIMIT }), async (firstAt, age) => {
        // B (the "bob" role, whose first receiving chain is whatever it hears first) hears
        // A's chain for the first time at firstAt; A never hears from B (so never steps).
        const [s0, s1] = fresh();
        const [b, a] = s0.role === "bob" ? [s0, s1] : [s1, s0];
        await deliver(b, ratchetEncrypt(a, text("first"), firstAt), firstAt);
        const since = sessionToJSON(b).receivingChainSince!;
        const later = ratchetEncrypt(a, text("later"), since + age);
        const before = JSON.stringify(sessionToJSON(b));
        const r = await ratchetDecrypt(b, later, since + age, random);
        if (age > LIMIT) {
          expect(r).toEqual({ ok: false, code: "STALE_CHAIN" });
          expect(JSON.stringify(sessionToJSON(b))).toBe(before);
        } else expect(r.ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
