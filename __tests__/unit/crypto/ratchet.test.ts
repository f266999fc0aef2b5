import {
  MAX_SKIP,
  MESSAGE_OVERHEAD,
  ratchetDecrypt,
  ratchetEncrypt,
  sessionExpired,
  sessionFromJSON,
  sessionToJSON,
  type Session,
} from "@/lib/crypto";
import { makePair, text, untext, type Pair } from "./support/pair";

const snapshot = (s: Session): string => JSON.stringify(sessionToJSON(s));
const restore = (json: string): Session => sessionFromJSON(JSON.parse(json));

let base: { alice: string; bob: string };
let random: Pair["random"];

beforeAll(async () => {
  const p = await makePair("ratchet");
  base = { alice: snapshot(p.alice), bob: snapshot(p.bob) };
  random = p.random;
});

function fresh(): { alice: Session; bob: Session } {
  return { alice: restore(base.alice), bob: restore(base.bob) };
}

async function mustDecrypt(s: Session, wire: Uint8Array, now = 1): Promise<string> {
  const r = await ratchetDecrypt(s, wire, now, random);
  if (!r.ok) throw new Error(`decrypt failed: ${r.code}`);
  return untext(r.plaintext);
}

describe("ratchetEncrypt / ratchetDecrypt", () => {
  it("round-trips messages both ways, Bob first", async () => {
    const { alice, bob } = fresh();
    expect(await mustDecrypt(alice, ratchetEncrypt(bob, text("hello ada"), 1))).toBe("hello ada");
    expect(await mustDecrypt(bob, ratchetEncrypt(alice, text("hello bert"), 2))).toBe("hello bert");
    expect(await mustDecrypt(alice, ratchetEncrypt(bob, text("again"), 3))).toBe("again");
  });

  it("adds exactly MESSAGE_OVERHEAD bytes, for empty and long plaintexts", async () => {
    const { alice } = fresh();
    for (const n of [0, 1, 255, 16384]) {
      expect(ratchetEncrypt(alice, new Uint8Array(n), 1).length).toBe(n + MESSAGE_OVERHEAD);
    }
  });

  it("reports the sender's clock and the frame kind", async () => {
    const { alice, bob } = fresh();
    const r = await ratchetDecrypt(bob, ratchetEncrypt(alice, text("x"), 12345), 12400, random);
    expect(r).toMatchObject({ ok: true, kind: "data", sentAt: 12345, answerDue: false });
  });

  it("never repeats a ciphertext for the same plaintext", async () => {
    const { alice } = fresh();
    const a = ratchetEncrypt(alice, text("same"), 1);
    const b = ratchetEncrypt(alice, text("same"), 1);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("refuses a replayed message", async () => {
    const { alice, bob } = fresh();
    const wire = ratchetEncrypt(alice, text("once"), 1);
    expect(await mustDecrypt(bob, wire)).toBe("once");
    expect(await ratchetDecrypt(bob, wire, 2, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
  });

  it("refuses a replay of a message that was delivered out of order", async () => {
    const { alice, bob } = fresh();
    const m0 = ratchetEncrypt(alice, text("0"), 1);
    const m1 = ratchetEncrypt(alice, text("1"), 1);
    expect(await mustDecrypt(bob, m1)).toBe("1");
    expect(await mustDecrypt(bob, m0)).toBe("0");
    expect((await ratchetDecrypt(bob, m0, 2, random)).ok).toBe(false);
    expect((await ratchetDecrypt(bob, m1, 2, random)).ok).toBe(false);
  });

  it("refuses a flipped bit in every byte of header, body and tag", async () => {
    const { alice, bob } = fresh();
    const wire = ratchetEncrypt(alice, text("flip me"), 1);
    const before = snapshot(bob);
    for (let i = 0; i < wire.length; i++) {
      const bit = (i * 3) % 8;
      const bad = wire.slice();
      bad[i] = (bad[i] as number) ^ (1 << bit);
      const r = await ratchetDecrypt(bob, bad, 1, random);
      if (r.ok) throw new Error(`bit ${bit} of byte ${i} was accepted`);
    }
    expect(snapshot(bob)).toBe(before);
    expect(await mustDecrypt(bob, wire)).toBe("flip me");
  });

  it("refuses a flipped bit in a message that carries a new ratchet key, without touching the state", async () => {
    const { alice, bob } = fresh();
    await mustDecrypt(alice, ratchetEncrypt(bob, text("turn"), 1));
    const wire = ratchetEncrypt(alice, text("new key"), 2);
    const before = snapshot(bob);
    for (const i of [3, 40, 60, wire.length - 1]) {
      const bad = wire.slice();
      bad[i] = (bad[i] as number) ^ 0x80;
      expect((await ratchetDecrypt(bob, bad, 2, random)).ok).toBe(false);
      expect(snapshot(bob)).toBe(before);
    }
  });

  it("refuses truncated, extended and empty messages as MALFORMED or DECRYPT_FAILED", async () => {
    const { alice, bob } = fresh();
    const wire = ratchetEncrypt(alice, text("whole"), 1);
    expect(await ratchetDecrypt(bob, wire.subarray(0, MESSAGE_OVERHEAD - 1), 1, random)).toEqual({ ok: false, code: "MALFORMED" });
    expect(await ratchetDecrypt(bob, new Uint8Array(0), 1, random)).toEqual({ ok: false, code: "MALFORMED" });
    expect(await ratchetDecrypt(bob, wire.subarray(0, wire.length - 1), 1, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
    const longer = new Uint8Array(wire.length + 1);
    longer.set(wire);
    expect(await ratchetDecrypt(bob, longer, 1, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
  });

  it("refuses a message meant for another session", async () => {
    const other = await makePair("someone-else");
    const { bob } = fresh();
    const wire = ratchetEncrypt(other.alice, text("wrong door"), 1);
    expect(await ratchetDecrypt(bob, wire, 1, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
  });

  it("refuses a message reflected back to its sender", async () => {
    const { alice } = fresh();
    const wire = ratchetEncrypt(alice, text("echo"), 1);
    expect((await ratchetDecrypt(alice, wire, 1, random)).ok).toBe(false);
  });

  it("decrypts out-of-order and late messages across DH ratchet steps", async () => {
    const { alice, bob } = fresh();
    const a = [0, 1, 2].map((i) => ratchetEncrypt(alice, text(`a${i}`), 1));
    expect(await mustDecrypt(bob, a[2] as Uint8Array)).toBe("a2");
    const b0 = ratchetEncrypt(bob, text("b0"), 2);
    expect(await mustDecrypt(alice, b0)).toBe("b0");
    const a3 = ratchetEncrypt(alice, text("a3"), 3);
    expect(await mustDecrypt(bob, a3)).toBe("a3");
    expect(await mustDecrypt(bob, a[0] as Uint8Array)).toBe("a0");
    expect(await mustDecrypt(bob, a[1] as Uint8Array)).toBe("a1");
  });

  it(`accepts a gap of exactly MAX_SKIP (${MAX_SKIP}) messages and refuses MAX_SKIP + 1 with TOO_MANY_SKIPPED`, async () => {
    const { alice, bob } = fresh();
    const wires = Array.from({ length: MAX_SKIP + 2 }, (_, i) => ratchetEncrypt(alice, text(`m${i}`), 1));
    const before = snapshot(bob);
    expect(await ratchetDecrypt(bob, wires[MAX_SKIP + 1] as Uint8Array, 1, random)).toEqual({ ok: false, code: "TOO_MANY_SKIPPED" });
    expect(snapshot(bob)).toBe(before);
    expect(await mustDecrypt(bob, wires[MAX_SKIP] as Uint8Array)).toBe(`m${MAX_SKIP}`);
    expect(await mustDecrypt(bob, wires[0] as Uint8Array)).toBe("m0");
  });

  it("refuses a gap beyond MAX_SKIP in the previous chain (header pn) with TOO_MANY_SKIPPED", async () => {
    const { alice, bob } = fresh();
    await mustDecrypt(alice, ratchetEncrypt(bob, text("b"), 1));
    await mustDecrypt(bob, ratchetEncrypt(alice, text("a"), 1));
    for (let i = 0; i < MAX_SKIP + 1; i++) ratchetEncrypt(bob, text("lost"), 1);
    await mustDecrypt(bob, ratchetEncrypt(alice, text("a"), 1));
    const next = ratchetEncrypt(bob, text("after a long silence"), 1);
    expect(await ratchetDecrypt(alice, next, 1, random)).toEqual({ ok: false, code: "TOO_MANY_SKIPPED" });
  });

  it("leaves the state exactly as before after every kind of failure", async () => {
    const { alice, bob } = fresh();
    const good = ratchetEncrypt(alice, text("ok"), 1);
    const before = snapshot(bob);
    const flipped = good.slice();
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    for (const wire of [flipped, new Uint8Array(5), good.subarray(0, 100)]) {
      expect((await ratchetDecrypt(bob, wire, 1, random)).ok).toBe(false);
      expect(snapshot(bob)).toBe(before);
    }
    expect(await ratchetDecrypt(bob, good, 10 ** 12, random)).toEqual({ ok: false, code: "SESSION_EXPIRED" });
    expect(snapshot(bob)).toBe(before);
  });

  it("deletes skipped message keys after five minutes", async () => {
    // A rotation longer than the key TTL, so that only the TTL is at work here.
    const slow = await makePair("ratchet-ttl", 0, { rotateMs: 10 * 60_000 });
    const fresh = () => ({ alice: restore(snapshot(slow.alice)), bob: restore(snapshot(slow.bob)) });
    const { alice, bob } = fresh();
    const late = ratchetEncrypt(alice, text("late"), 1000);
    const soon = ratchetEncrypt(alice, text("soon"), 1000);
    await mustDecrypt(bob, soon, 1000);
    expect(sessionToJSON(bob).skipped).toHaveLength(1);
    expect(await mustDecrypt(bob, late, 1000 + 5 * 60_000)).toBe("late");

    const { alice: a2, bob: b2 } = fresh();
    const late2 = ratchetEncrypt(a2, text("late"), 1000);
    await mustDecrypt(b2, ratchetEncrypt(a2, text("soon"), 1000), 1000);
    expect(await ratchetDecrypt(b2, late2, 1001 + 5 * 60_000, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
  });

  it("expires a session after 24 h without application data, both ways", async () => {
    const { alice, bob } = fresh();
    const day = 24 * 60 * 60_000;
    await mustDecrypt(bob, ratchetEncrypt(alice, text("x"), 1000), 1000);
    expect(sessionExpired(bob, 1000 + day)).toBe(false);
    expect(sessionExpired(bob, 1001 + day)).toBe(true);
    expect(() => ratchetEncrypt(bob, text("too late"), 1001 + day)).toThrow(expect.objectContaining({ code: "SESSION_EXPIRED" }));
    const wire = ratchetEncrypt(alice, text("y"), 1001 + day - 1);
    expect(await ratchetDecrypt(bob, wire, 1001 + day, random)).toEqual({ ok: false, code: "SESSION_EXPIRED" });
  });

  it("gives forward secrecy: a state captured after a message was read cannot read it", async () => {
    const { alice, bob } = fresh();
    const wires = [ratchetEncrypt(alice, text("secret 1"), 1), ratchetEncrypt(alice, text("secret 2"), 1)];
    await mustDecrypt(bob, wires[0] as Uint8Array);
    await mustDecrypt(bob, wires[1] as Uint8Array);
    const stolen = restore(snapshot(bob));
    for (const w of wires) expect(await ratchetDecrypt(stolen, w, 1, random)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
  });

  it("recovers after compromise: a state copied at time t cannot read messages sent after the next DH round trip", async () => {
    const { alice, bob } = fresh();
    await mustDecrypt(bob, ratchetEncrypt(alice, text("before"), 1));
    const stolen = restore(snapshot(bob));
    const spy = (await makePair("attacker-randomness")).random;
    // Bob's current ratchet key was in the stolen state, so Alice's reply to it is still exposed...
    await mustDecrypt(alice, ratchetEncrypt(bob, text("b1"), 2));
    const a1 = ratchetEncrypt(alice, text("a1"), 3);
    expect(await ratchetDecrypt(stolen, a1, 3, spy)).toMatchObject({ ok: true });
    await mustDecrypt(bob, a1);
    // ...until the round trip on a key Bob made after t: Bob sends it, Alice answers.
    await mustDecrypt(alice, ratchetEncrypt(bob, text("b2"), 4));
    const after = [ratchetEncrypt(alice, text("a2"), 5), ratchetEncrypt(alice, text("a3"), 6)];
    for (const w of after) expect(await ratchetDecrypt(stolen, w, 6, spy)).toEqual({ ok: false, code: "DECRYPT_FAILED" });
    for (const w of after) await mustDecrypt(bob, w);
  });

  it("refuses plaintexts above MAX_PLAINTEXT and bad arguments with TypeError/RangeError", async () => {
    const { alice } = fresh();
    expect(() => ratchetEncrypt(alice, new Uint8Array((1 << 20) + 1), 1)).toThrow(RangeError);
    expect(() => ratchetEncrypt(alice, "text" as unknown as Uint8Array, 1)).toThrow(TypeError);
    expect(() => ratchetEncrypt(alice, text("x"), -1)).toThrow(TypeError);
    await expect(ratchetDecrypt(alice, text("x"), 1, undefined as never)).rejects.toThrow(TypeError);
  });
});
