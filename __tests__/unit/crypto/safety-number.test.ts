import { safetyNumber, safetyQrMatches } from "@/lib/crypto";
import { seededRandom } from "./support/random";

const random = seededRandom("safety");
const ada = { stableId: "ada", signPublicKey: random(32) };
const bert = { stableId: "bert", signPublicKey: random(32) };

describe("safety numbers", () => {
  const mine = safetyNumber(ada, bert);

  it("are 60 digits in 12 groups of 5, identical on both sides", () => {
    expect(mine.digits).toMatch(/^\d{60}$/);
    expect(mine.groups).toHaveLength(12);
    expect(mine.groups.join("")).toBe(mine.digits);
    expect(safetyNumber(bert, ada)).toEqual(mine);
  });

  it("change when either identity key or stable id changes", () => {
    const otherKey = { ...bert, signPublicKey: bert.signPublicKey.slice() };
    otherKey.signPublicKey[0] = (otherKey.signPublicKey[0] as number) ^ 1;
    expect(safetyNumber(ada, otherKey).digits).not.toBe(mine.digits);
    expect(safetyNumber(ada, { ...bert, stableId: "bert2" }).digits).not.toBe(mine.digits);
    expect(safetyNumber({ ...ada, stableId: "adb" }, bert).digits).not.toBe(mine.digits);
  });

  it("carry a QR payload that matches only the same pair", () => {
    expect(mine.qr.length).toBe(65);
    expect(mine.qrText).toMatch(/^CPSN1:[0-9A-F]{130}$/);
    expect(safetyQrMatches(mine, safetyNumber(bert, ada).qr)).toBe(true);
    expect(safetyQrMatches(mine, safetyNumber(bert, ada).qrText)).toBe(true);
    const evil = { stableId: "bert", signPublicKey: random(32) };
    expect(safetyQrMatches(mine, safetyNumber(ada, evil).qrText)).toBe(false);
    expect(safetyQrMatches(mine, "CPSN1:zz")).toBe(false);
    expect(safetyQrMatches(mine, "hello")).toBe(false);
  });

  it("refuse misuse", () => {
    expect(() => safetyNumber({ stableId: "", signPublicKey: ada.signPublicKey }, bert)).toThrow(TypeError);
    expect(() => safetyNumber({ stableId: "a", signPublicKey: new Uint8Array(31) }, bert)).toThrow(RangeError);
  });
});
