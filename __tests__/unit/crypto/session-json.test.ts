import { ratchetDecrypt, ratchetEncrypt, sessionFromJSON, sessionToJSON } from "@/lib/crypto";
import { makePair, text } from "./support/pair";

describe("session JSON", () => {
  it("round-trips losslessly, skipped keys included, and the restored session keeps working", async () => {
    const p = await makePair("json");
    const skipped = ratchetEncrypt(p.alice, text("skipped"), 1);
    await ratchetDecrypt(p.bob, ratchetEncrypt(p.alice, text("read"), 1), 1, p.random);
    const json = JSON.stringify(sessionToJSON(p.bob));
    expect(JSON.parse(json).skipped).toHaveLength(1);
    const restored = sessionFromJSON(JSON.parse(json));
    expect(JSON.stringify(sessionToJSON(restored))).toBe(json);
    expect(restored).toEqual(p.bob);
    const r = await ratchetDecrypt(restored, skipped, 2, p.random);
    expect(r.ok).toBe(true);
  });

  it("refuses malformed state with TypeError or RangeError", async () => {
    const good = sessionToJSON((await makePair("json-bad")).alice);
    const cases: unknown[] = [
      null,
      { ...good, v: 2 },
      { ...good, role: "carol" },
      { ...good, rk: "AAAA" },
      { ...good, ns: -1 },
      { ...good, nr: 1.5 },
      { ...good, skipped: [{ dh: good.rk, n: 0, mk: "x", storedAt: 0 }] },
      { ...good, config: { ...good.config, rotateMs: 0 } },
      { ...good, dhs: { ...good.dhs, publicKey: good.rk } },
      { ...good, rekeyAnswerDue: "no" },
    ];
    for (const c of cases) expect(() => sessionFromJSON(c as never)).toThrow(/must|malformed|not a v1|invalid|match/);
  });
});
