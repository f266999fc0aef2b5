import { generateIdentity, identityFromJSON, identityToJSON, publicIdentity } from "@/lib/crypto";
import { fixedRandom, seededRandom } from "./support/random";

describe("device identity", () => {
  it("derives both key pairs from exactly two 32-byte draws", () => {
    const random = fixedRandom([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]);
    const a = generateIdentity(random);
    random.assertExhausted();
    const b = generateIdentity(fixedRandom([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]));
    expect(a).toEqual(b);
    expect([a.signPublicKey.length, a.signSecretKey.length, a.dhPublicKey.length, a.dhSecretKey.length]).toEqual([32, 64, 32, 32]);
  });

  it("round-trips through JSON with base64 strings only", () => {
    const id = generateIdentity(seededRandom("identity"));
    const json = JSON.parse(JSON.stringify(identityToJSON(id)));
    expect(Object.values(json).every((v) => typeof v === "string" || v === 1)).toBe(true);
    expect(identityFromJSON(json)).toEqual(id);
  });

  it("refuses a stored identity whose public keys do not match its secrets", () => {
    const a = identityToJSON(generateIdentity(seededRandom("id-a")));
    const b = identityToJSON(generateIdentity(seededRandom("id-b")));
    expect(() => identityFromJSON({ ...a, signPublicKey: b.signPublicKey })).toThrow(RangeError);
    expect(() => identityFromJSON({ ...a, dhPublicKey: b.dhPublicKey })).toThrow(RangeError);
    expect(() => identityFromJSON({ ...a, v: 2 } as never)).toThrow(TypeError);
    expect(() => identityFromJSON({ ...a, signSeed: "short" })).toThrow(RangeError);
  });

  it("publishes only the public halves", () => {
    const id = generateIdentity(seededRandom("id-pub"));
    const pub = publicIdentity(id);
    expect(Object.keys(pub).sort()).toEqual(["dhPublicKey", "signPublicKey"]);
    expect(Buffer.from(pub.signPublicKey, "base64")).toEqual(Buffer.from(id.signPublicKey));
  });
});
