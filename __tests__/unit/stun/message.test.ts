import fc from "fast-check";
import { formatIp, parseIp, parseIPv4, parseIPv6 } from "@/lib/stun/ip";
import {
  ATTR,
  encodeErrorCode,
  encodeStunMessage,
  encodeXorMappedAddress,
  MAX_ATTRIBUTES,
  MAX_MESSAGE_BYTES,
  METHOD_BINDING,
  parseStunMessage,
  type StunClass,
} from "@/lib/stun/message";
import vectors from "../../vectors/rfc5769-stun.json";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
const txid = () => Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const reasonOf = (bytes: Uint8Array) => {
  const result = parseStunMessage(bytes);
  return result.ok ? "ok" : result.reason;
};

describe("STUN message parsing refuses what is not one well-formed message", () => {
  const request = hex(vectors.sampleRequest.message);

  it("refuses datagrams shorter than a header or longer than the cap", () => {
    expect(reasonOf(request.subarray(0, 19))).toBe("too-short");
    expect(reasonOf(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toBe("too-long");
  });

  it("refuses a set top bit or a wrong magic cookie (another protocol on the port)", () => {
    const topBit = request.slice();
    topBit[0]! |= 0x80;
    expect(reasonOf(topBit)).toBe("not-stun");
    const cookie = request.slice();
    cookie[7]! ^= 0x01;
    expect(reasonOf(cookie)).toBe("not-stun");
  });

  it("refuses a length field that is not a multiple of 4 or not the datagram's", () => {
    const odd = request.slice();
    odd[3] = 0x57;
    expect(reasonOf(odd)).toBe("bad-length");
    expect(reasonOf(request.subarray(0, request.length - 4))).toBe("bad-length");
  });

  it("refuses an attribute that runs past the end", () => {
    const bytes = encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId: txid(), attributes: [{ type: 0x8050, value: new Uint8Array(8) }] }, { fingerprint: false });
    bytes[23] = 9; // value length 9 → 12 with padding, past the end
    expect(reasonOf(bytes)).toBe("truncated-attribute");
  });

  it(`refuses more than ${MAX_ATTRIBUTES} attributes`, () => {
    const attributes = Array.from({ length: MAX_ATTRIBUTES + 1 }, () => ({ type: 0x8050, value: new Uint8Array(0) }));
    expect(reasonOf(encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId: txid(), attributes }, { fingerprint: false }))).toBe("too-many-attributes");
    expect(reasonOf(encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId: txid(), attributes: attributes.slice(1) }, { fingerprint: false }))).toBe("ok");
  });

  it("refuses a FINGERPRINT that is not the last attribute", () => {
    const bytes = encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId: txid(), attributes: [{ type: ATTR.FINGERPRINT, value: new Uint8Array(4) }, { type: 0x8050, value: new Uint8Array(4) }] }, { fingerprint: false });
    expect(reasonOf(bytes)).toBe("fingerprint-not-last");
  });

  it("lets no single-bit change of the RFC 5769 request pass as a fingerprinted message", () => {
    // A flip may turn the FINGERPRINT into another attribute (its type, or a
    // length that swallows it): FINGERPRINT is optional in STUN, so that is a
    // message without one. Every other flip is refused.
    const outcomes = new Map<string, number>();
    for (let bit = 0; bit < request.length * 8; bit++) {
      const flipped = request.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const result = parseStunMessage(flipped);
      if (result.ok) expect(result.message.fingerprinted).toBe(false);
      const key = result.ok ? "no fingerprint left" : result.reason;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(outcomes.get("bad-fingerprint")).toBeGreaterThan(request.length * 8 * 0.8);
  });

  it("never throws on arbitrary bytes, and accepts only what re-parses identically", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), (bytes) => {
        const result = parseStunMessage(bytes);
        if (result.ok) expect(parseStunMessage(bytes)).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("STUN message encoding", () => {
  it("interleaves method and class bits as RFC 8489 §5 shows (Binding 0x0001/0x0011/0x0101/0x0111)", () => {
    const typeOf = (cls: StunClass) => Buffer.from(encodeStunMessage({ method: METHOD_BINDING, cls, transactionId: txid(), attributes: [] }).subarray(0, 2)).readUInt16BE(0);
    expect([typeOf("request"), typeOf("indication"), typeOf("success"), typeOf("error")]).toEqual([0x0001, 0x0011, 0x0101, 0x0111]);
  });

  it("round-trips any method, class and attributes, with a FINGERPRINT that checks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xfff }),
        fc.constantFrom<StunClass>("request", "indication", "success", "error"),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.array(fc.record({ type: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== ATTR.FINGERPRINT), value: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 10 }),
        (method, cls, transactionId, attributes) => {
          const result = parseStunMessage(encodeStunMessage({ method, cls, transactionId, attributes }));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.message).toMatchObject({ method, cls, transactionId, fingerprinted: true });
          expect(result.message.attributes.slice(0, -1)).toEqual(attributes);
        },
      ),
    );
  });

  it("throws on misuse with a precise message", () => {
    const ok = { method: METHOD_BINDING, cls: "request" as const, transactionId: txid(), attributes: [] };
    expect(() => encodeStunMessage({ ...ok, transactionId: new Uint8Array(11) })).toThrow(new TypeError("transactionId must be a Uint8Array of 12 bytes"));
    expect(() => encodeStunMessage({ ...ok, method: 0x1000 })).toThrow(new RangeError("method must be a 12-bit integer"));
    expect(() => encodeStunMessage({ ...ok, attributes: [{ type: 0x10000, value: new Uint8Array(0) }] })).toThrow(RangeError);
    expect(() => encodeStunMessage({ ...ok, attributes: [{ type: 1, value: new Uint8Array(MAX_MESSAGE_BYTES) }] })).toThrow(/at most 1280 bytes/);
    expect(() => encodeXorMappedAddress({ family: 4, bytes: new Uint8Array(16) }, 1, txid())).toThrow(new TypeError("an IPv4 address is 4 bytes"));
    expect(() => encodeXorMappedAddress(parseIp("192.0.2.1")!, 70000, txid())).toThrow(RangeError);
    expect(() => encodeErrorCode(200, "OK")).toThrow(RangeError);
  });
});

describe("IP addresses for XOR-MAPPED-ADDRESS", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1", 4],
    ["2001:db8::1", "2001:db8::1", 6],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 6],
    ["::", "::", 6],
    ["::1", "::1", 6],
    ["fe80::1%eth0", "fe80::1", 6],
    ["::ffff:203.0.113.7", "203.0.113.7", 4],
    ["2001:db8:1234:5678:11:2233:4455:6677", "2001:db8:1234:5678:11:2233:4455:6677", 6],
  ])("reads %s as %s (IPv%s)", (input, formatted, family) => {
    const ip = parseIp(input)!;
    expect(ip.family).toBe(family);
    expect(formatIp(ip)).toBe(formatted);
  });

  it.each(["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "::ffff:1.2.3.999", "x".repeat(100)])("refuses %j", (input) => {
    expect(parseIp(input)).toBeNull();
  });

  it("round-trips any address", () => {
    fc.assert(fc.property(fc.ipV4(), (a) => expect(formatIp({ family: 4, bytes: parseIPv4(a)! })).toBe(a)));
    fc.assert(fc.property(fc.ipV6(), (a) => expect(parseIPv6(formatIp({ family: 6, bytes: parseIPv6(a)! }))).toEqual(parseIPv6(a))));
  });
});
