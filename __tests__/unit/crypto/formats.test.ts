import fc from "fast-check";
import { CryptoError, decodeHello, decodeLogChallenge, fromBase64, fromHex, toBase64, toHex } from "@/lib/crypto";
import { decodeAuth } from "@/lib/crypto/hello-format";
import { decodeMessage, MESSAGE_OVERHEAD } from "@/lib/crypto/message-format";
import { equalBytes, readU64be, u64be } from "@/lib/crypto/bytes";

function onlyCryptoErrors(decode: (b: Uint8Array) => unknown): (b: Uint8Array) => void {
  return (bytes) => {
    try {
      decode(bytes);
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
    }
  };
}

describe("wire decoders", () => {
  it.each([
    ["hello", decodeHello, [1, 1]],
    ["auth", decodeAuth, [1, 2]],
    ["ratchet message", decodeMessage, [1, 3]],
    ["log challenge", decodeLogChallenge, [1, 5]],
  ] as const)("throw only CryptoError on random bytes: %s", (_name, decode, prefix) => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), onlyCryptoErrors(decode)), { numRuns: 300 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlyCryptoErrors(decode)(Uint8Array.of(...prefix, ...b))),
      { numRuns: 300 },
    );
  });

  it("reads a ratchet header back field by field", () => {
    const wire = new Uint8Array(MESSAGE_OVERHEAD + 3);
    wire.set([1, 3, 2], 0);
    wire.fill(7, 3, 35);
    wire.set([0, 0, 1, 0], 35);
    wire.set([0, 0, 0, 9], 39);
    wire.set(u64be(1_700_000_000_123), 43);
    const m = decodeMessage(wire);
    expect(m.header).toEqual({ flags: 2, dh: new Uint8Array(32).fill(7), pn: 256, n: 9, sentAt: 1_700_000_000_123 });
    expect(m.ciphertext.length).toBe(19);
    expect(m.mac.length).toBe(32);
  });

  it("refuses a timestamp beyond 2^53 and unknown flags as MALFORMED", () => {
    const wire = new Uint8Array(MESSAGE_OVERHEAD);
    wire.set([1, 3, 0], 0);
    wire.fill(0xff, 43, 51);
    expect(() => decodeMessage(wire)).toThrow(expect.objectContaining({ code: "MALFORMED" }));
    wire.fill(0, 43, 51);
    wire[2] = 4;
    expect(() => decodeMessage(wire)).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });
});

describe("byte helpers", () => {
  it("encodes base64 as RFC 4648 section 10 does", () => {
    const cases = ["", "f", "fo", "foo", "foob", "fooba", "foobar"];
    const expected = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    cases.forEach((c, i) => {
      expect(toBase64(new TextEncoder().encode(c))).toBe(expected[i]);
      expect(new TextDecoder().decode(fromBase64(expected[i] as string))).toBe(c);
    });
  });

  it("round-trips base64 and hex for any bytes, and agrees with Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (b) => {
        expect(toBase64(b)).toBe(Buffer.from(b).toString("base64"));
        expect(equalBytes(fromBase64(toBase64(b)), b)).toBe(true);
        expect(equalBytes(fromHex(toHex(b)), b)).toBe(true);
      }),
    );
  });

  it("accepts a text exactly when it is the canonical encoding of some bytes (Buffer as the oracle)", () => {
    const b64char = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\u00e9");
    fc.assert(
      fc.property(fc.string({ unit: b64char, maxLength: 24 }), (text) => {
        // Buffer decodes leniently; re-encoding shows whether the text was canonical.
        const canonical = Buffer.from(Buffer.from(text, "base64")).toString("base64") === text;
        let decoded: Uint8Array | null = null;
        try {
          decoded = fromBase64(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
        expect(decoded !== null).toBe(canonical);
        if (decoded) expect(Buffer.from(decoded).toString("base64")).toBe(text);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses non-canonical base64 and bad hex", () => {
    for (const bad of ["Zg=", "Zh==", "Zm9=", "Zm9v!", "Z", "Zm9vY", "====", "Zg==Zg==", "Zm9v\u00e9AAA"]) expect(() => fromBase64(bad)).toThrow(RangeError);
    expect(() => fromHex("abc")).toThrow(RangeError);
    expect(() => fromHex("zz")).toThrow(RangeError);
  });

  it("round-trips 64-bit big-endian integers up to 2^53 - 1", () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => expect(readU64be(u64be(n), 0)).toBe(n)));
  });
});
