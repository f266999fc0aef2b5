import {
  createRekey,
  msUntilExpired,
  msUntilNextCheck,
  msUntilRekey,
  REKEY_GRACE_MS,
  REKEY_PERIODS,
  rekeyOverdue,
  ratchetDecrypt,
  ratchetEncrypt,
  rekeyDue,
  ROTATE_MS,
  sessionExpired,
  sessionFromJSON,
  sessionToJSON,
  type Session,
} from "@/lib/crypto";
import { decodeMessage, FLAG } from "@/lib/crypto/message-format";
import { encryptFrame } from "@/lib/crypto/ratchet";
import { makePair, text, type Pair } from "./support/pair";

let base: { alice: string; bob: string };
let random: Pair["random"];

beforeAll(async () => {
  const p = await makePair("rekey");
  base = { alice: JSON.stringify(sessionToJSON(p.alice)), bob: JSON.stringify(sessionToJSON(p.bob)) };
  random = p.random;
});

const fresh = () => ({ alice: sessionFromJSON(JSON.parse(base.alice)), bob: sessionFromJSON(JSON.parse(base.bob)) });
const keyOf = (wire: Uint8Array): string => Buffer.from(decodeMessage(wire).header.dh).toString("hex");

async function deliver(to: Session, wire: Uint8Array, now: number) {
  const r = await ratchetDecrypt(to, wire, now, random);
  if (!r.ok) throw new Error(`decrypt failed: ${r.code}`);
  return r;
}

/** Runs both sides' rekey timers until neither has anything to send. Returns the frames sent. */
async function settle(alice: Session, bob: Session, now: number): Promise<number> {
  let frames = 0;
  for (let round = 0; round < 10; round++) {
    let sent = false;
    for (const [from, to] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      if (rekeyDue(from, now)) {
        await deliver(to, createRekey(from, now), now);
        frames++;
        sent = true;
      }
    }
    if (!sent) return frames;
  }
  throw new Error("rekey did not settle");
}

describe("the W Ratchet's rekey rule", () => {
  it(`is due ROTATE_MS (${ROTATE_MS} ms) after the sending chain was created, not before`, async () => {
    const { alice } = fresh();
    expect(rekeyDue(alice, ROTATE_MS - 1)).toBe(false);
    expect(msUntilRekey(alice, ROTATE_MS - 1)).toBe(1);
    expect(rekeyDue(alice, ROTATE_MS)).toBe(true);
  });

  it("changes the ratchet key in both sides' headers after 60 s even when one side never speaks", async () => {
    const { alice, bob } = fresh();
    const first = { alice: keyOf(ratchetEncrypt(alice, text("a"), 1)), bob: keyOf(ratchetEncrypt(bob, text("b"), 1)) };
    // Only Alice sends application data; Bob stays silent apart from rekey frames.
    for (let t = 1000; t <= 61_000; t += 10_000) {
      await deliver(bob, ratchetEncrypt(alice, text(`tick ${t}`), t), t);
      await settle(alice, bob, t);
    }
    const later = { alice: keyOf(ratchetEncrypt(alice, text("a"), 61_001)), bob: keyOf(ratchetEncrypt(bob, text("b"), 61_001)) };
    expect(later.alice).not.toBe(first.alice);
    expect(later.bob).not.toBe(first.bob);
  });

  it("renews both sending chains with one request and one answer when the requester's key is new to the peer", async () => {
    const { alice, bob } = fresh();
    const request = createRekey(alice, ROTATE_MS);
    expect(decodeMessage(request).header.flags).toBe(0x01);
    expect(await deliver(bob, request, ROTATE_MS)).toMatchObject({ kind: "rekey-request", answerDue: true, plaintext: new Uint8Array(0) });
    expect(rekeyDue(bob, ROTATE_MS)).toBe(true);
    const answer = createRekey(bob, ROTATE_MS);
    expect(await deliver(alice, answer, ROTATE_MS)).toMatchObject({ kind: "rekey-answer", answerDue: false });
    expect(rekeyDue(alice, ROTATE_MS + 1)).toBe(false);
    expect(rekeyDue(bob, ROTATE_MS + 1)).toBe(false);
    expect(msUntilRekey(alice, ROTATE_MS)).toBe(ROTATE_MS);
  });

  it("renews both chains within three frames when the peer had already seen the requester's key", async () => {
    const { alice, bob } = fresh();
    await deliver(bob, ratchetEncrypt(alice, text("a"), 10), 10);
    const now = 10 + ROTATE_MS;
    expect(await settle(alice, bob, now)).toBeLessThanOrEqual(3);
    expect(msUntilRekey(alice, now)).toBe(ROTATE_MS);
    expect(msUntilRekey(bob, now)).toBe(ROTATE_MS);
  });

  it("counts any outgoing message as the answer", async () => {
    const { alice, bob } = fresh();
    await deliver(bob, createRekey(alice, ROTATE_MS), ROTATE_MS);
    await deliver(alice, ratchetEncrypt(bob, text("normal message"), ROTATE_MS + 5), ROTATE_MS + 5);
    expect(rekeyDue(bob, ROTATE_MS + 5)).toBe(false);
    expect(rekeyDue(alice, ROTATE_MS + 5)).toBe(false);
  });

  it("repeats an unanswered request only after another ROTATE_MS", async () => {
    const { alice } = fresh();
    createRekey(alice, ROTATE_MS); // lost on the way
    expect(rekeyDue(alice, 2 * ROTATE_MS - 1)).toBe(false);
    expect(rekeyDue(alice, 2 * ROTATE_MS)).toBe(true);
  });

  it("honours a configured rotation period", async () => {
    const p = await makePair("rekey-config", 0, { rotateMs: 5000 });
    expect(rekeyDue(p.alice, 4999)).toBe(false);
    expect(rekeyDue(p.alice, 5000)).toBe(true);
  });

  it("does not keep a session alive: rekey frames are not application activity", async () => {
    const { alice, bob } = fresh();
    const day = 24 * 60 * 60_000;
    for (let t = ROTATE_MS; t <= day; t += 4 * 60 * 60_000) await settle(alice, bob, t);
    expect(sessionExpired(alice, day + 1)).toBe(true);
    expect(sessionExpired(bob, day + 1)).toBe(true);
    expect(rekeyDue(alice, day + 1)).toBe(false);
  });

  it("refuses an authenticated rekey frame that carries a body", async () => {
    const { alice, bob } = fresh();
    const before = JSON.stringify(sessionToJSON(bob));
    const wire = encryptFrame(alice, text("smuggled"), FLAG.rekeyRequest, 1);
    expect(await ratchetDecrypt(bob, wire, 1, random)).toEqual({ ok: false, code: "MALFORMED" });
    expect(JSON.stringify(sessionToJSON(bob))).toBe(before);
  });
});

describe("the W Ratchet's rotation, enforced", () => {
  const limit = REKEY_PERIODS * ROTATE_MS + REKEY_GRACE_MS;

  it("sender: a rekey request unanswered for two periods is overdue, not a moment before", async () => {
    const { alice, bob } = fresh();
    expect(rekeyOverdue(alice, 10 * ROTATE_MS)).toBe(false); // nothing asked yet: nothing overdue
    createRekey(alice, ROTATE_MS); // lost, or ignored by a peer that will not rotate
    createRekey(alice, 2 * ROTATE_MS); // repeated: the first request's time still counts
    expect(rekeyOverdue(alice, ROTATE_MS + REKEY_PERIODS * ROTATE_MS - 1)).toBe(false);
    expect(msUntilNextCheck(alice, ROTATE_MS + REKEY_PERIODS * ROTATE_MS - 1)).toBe(1);
    expect(rekeyOverdue(alice, ROTATE_MS + REKEY_PERIODS * ROTATE_MS)).toBe(true);
    // An answer renews the chain and clears the rule.
    const { alice: a2 } = fresh();
    const request = createRekey(a2, ROTATE_MS);
    await deliver(bob, request, ROTATE_MS + 10);
    await deliver(a2, createRekey(bob, ROTATE_MS + 20), ROTATE_MS + 30);
    expect(rekeyOverdue(a2, 10 * ROTATE_MS)).toBe(false);
    expect(sessionToJSON(a2).rekeyPendingSince).toBeNull();
  });

  it(`receiver: refuses a message on a peer chain older than ${REKEY_PERIODS} periods + ${REKEY_GRACE_MS} ms, counted as STALE_CHAIN, state unchanged`, async () => {
    const { alice, bob } = fresh();
    await deliver(bob, ratchetEncrypt(alice, text("first"), 1000), 1000); // bob's receiving chain begins at 1000
    // Alice never rotates: she keeps sending on the same chain.
    await deliver(bob, ratchetEncrypt(alice, text("still fine"), 1000 + limit), 1000 + limit);
    const late = ratchetEncrypt(alice, text("too old"), 1001 + limit);
    const before = JSON.stringify(sessionToJSON(bob));
    expect(await ratchetDecrypt(bob, late, 1001 + limit, random)).toEqual({ ok: false, code: "STALE_CHAIN" });
    expect(JSON.stringify(sessionToJSON(bob))).toBe(before);
  });

  it("receiver: a chain counts from when it began here, and a new one starts the count again", async () => {
    const { alice, bob } = fresh();
    await deliver(bob, ratchetEncrypt(alice, text("a"), 1000), 1000);
    await deliver(alice, ratchetEncrypt(bob, text("b"), 2000), 2000); // alice steps: her next chain is new
    const renewed = ratchetEncrypt(alice, text("on a new chain"), 5000 + limit);
    expect((await deliver(bob, renewed, 5000 + limit)).kind).toBe("data");
  });

  it("receiver: a skipped key is refused once its chain is too old, even before its TTL", async () => {
    const { alice, bob } = fresh();
    const held = ratchetEncrypt(alice, text("held back"), 1000);
    await deliver(bob, ratchetEncrypt(alice, text("overtakes"), 1000), 1000);
    expect(sessionToJSON(bob).skipped).toHaveLength(1);
    expect(await ratchetDecrypt(bob, held, 1001 + limit, random)).toEqual({ ok: false, code: "STALE_CHAIN" });
  });

  it("an expired session is a deadline the caller's loop wakes for, not a loop that spins", async () => {
    const { alice } = fresh();
    const day = 24 * 60 * 60_000;
    expect(msUntilExpired(alice, 0)).toBe(day + 1);
    expect(msUntilExpired(alice, day + 1)).toBe(0);
    expect(sessionExpired(alice, day + 1)).toBe(true);
    // With nothing else pending, the next check is the rekey (60 s), then expiry: never 0 in between.
    expect(msUntilNextCheck(alice, 0)).toBe(ROTATE_MS);
  });
});
