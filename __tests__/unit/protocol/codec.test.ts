import fc from "fast-check";
import { decodeFrame, encodeFrame, MAX_FRAME_BYTES, MAX_TEXT_BYTES, type Frame } from "@/lib/protocol";

const id = "AAAAAAAAAAAAAAAAAAAAAA";
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("frame codec", () => {
  it.each<Frame>([
    { t: "chat", id, sentAt: 1_700_000_000_000, text: "hello\nworld\twith tab, ünïcødé and 🎉" },
    { t: "ack", id },
    { t: "log-request", rid: id, op: "retrieve" },
    { t: "log-refused", rid: id, reason: "locked-out", retryAfterMs: 900_000 },
    { t: "log-chunk", rid: id, seq: 3, records: ["AQIDBA==", ""] },
    { t: "log-end", rid: id, count: 10 },
  ])("round-trips a %s frame", (frame) => {
    expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it("never throws on random bytes, and accepts none of them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = decodeFrame(bytes);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on random JSON, and whatever it accepts is a frame that encodes back to itself", () => {
    const frameLike = fc.record({ t: fc.constantFrom("chat", "ack", "log-request", "log-end", "nope"), id: fc.constantFrom(id, "x"), rid: fc.constantFrom(id, 7), sentAt: fc.integer(), text: fc.string(), op: fc.constantFrom("retrieve", "clear"), count: fc.integer() }, { requiredKeys: ["t"] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), frameLike), (value) => {
        const result = decodeFrame(utf8(JSON.stringify(value)));
        if (result.ok) expect(decodeFrame(encodeFrame(result.frame))).toEqual(result);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws on mutations of a valid frame", () => {
    const valid = encodeFrame({ t: "chat", id, sentAt: 1, text: "a message worth mutating" });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const copy = valid.slice();
        copy[at] = byte;
        const result = decodeFrame(copy);
        if (result.ok) expect(result.frame.t).toBe("chat");
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses with a reason: not UTF-8, not JSON, unknown type, extra fields, bad ids", () => {
    expect(decodeFrame(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, reason: "not-utf8" });
    expect(decodeFrame(utf8("{nope"))).toEqual({ ok: false, reason: "not-json" });
    expect(decodeFrame(utf8(JSON.stringify({ t: "shout", id })))).toMatchObject({ ok: false, reason: "invalid" });
    expect(decodeFrame(utf8(JSON.stringify({ t: "ack", id, extra: 1 })))).toMatchObject({ ok: false, reason: "invalid" });
    expect(decodeFrame(utf8(JSON.stringify({ t: "ack", id: "short" })))).toMatchObject({ ok: false, reason: "invalid" });
    expect(decodeFrame(utf8(JSON.stringify({ t: "chat", id, sentAt: -1, text: "x" })))).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("takes text up to 64 KiB of UTF-8 and refuses one byte more", () => {
    const max = "é".repeat(MAX_TEXT_BYTES / 2);
    expect(decodeFrame(encodeFrame({ t: "chat", id, sentAt: 1, text: max })).ok).toBe(true);
    expect(() => encodeFrame({ t: "chat", id, sentAt: 1, text: `${max}x` })).toThrow();
    const forged = utf8(JSON.stringify({ t: "chat", id, sentAt: 1, text: `${max}x` }));
    expect(decodeFrame(forged)).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("refuses control characters other than tab and newline, and empty text", () => {
    expect(() => encodeFrame({ t: "chat", id, sentAt: 1, text: "bell\u0007" })).toThrow();
    expect(() => encodeFrame({ t: "chat", id, sentAt: 1, text: "" })).toThrow();
  });

  it("keeps even the worst-case text (all quotes) inside the frame limit", () => {
    const quotes = '"'.repeat(MAX_TEXT_BYTES);
    const bytes = encodeFrame({ t: "chat", id, sentAt: 8.64e15, text: quotes });
    expect(bytes.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1))).toEqual({ ok: false, reason: "too-large" });
  });
});
