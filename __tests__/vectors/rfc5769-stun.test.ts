// RFC 5769's STUN test vectors against lib/stun: the parser finds every
// attribute where the RFC put it (checked independently by recomputing the
// vectors' HMAC-SHA1 MESSAGE-INTEGRITY with Node's crypto over the bytes the
// parser delimits), FINGERPRINT is the RFC's CRC, and XOR-MAPPED-ADDRESS
// decodes to, and encodes back to, the RFC's addresses.
import { createHmac } from "node:crypto";
import { crc32 } from "@/lib/stun/crc32";
import { parseIp } from "@/lib/stun/ip";
import { ATTR, decodeXorMappedAddress, encodeStunMessage, encodeXorMappedAddress, fingerprintOver, METHOD_BINDING, parseStunMessage, type StunMessage } from "@/lib/stun/message";
import vectors from "./rfc5769-stun.json";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const padded = (n: number) => (n + 3) & ~3;

function parsed(message: string): StunMessage {
  const result = parseStunMessage(hex(message));
  if (!result.ok) throw new Error(`vector refused: ${result.reason}`);
  return result.message;
}

/** Where an attribute starts, from the parser's own list of attributes. */
function offsetOf(message: StunMessage, type: number): number {
  let at = 20;
  for (const attribute of message.attributes) {
    if (attribute.type === type) return at;
    at += 4 + padded(attribute.value.length);
  }
  throw new Error(`no attribute ${type}`);
}

/** RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, its length field counting through it. */
function integrityOf(bytes: Uint8Array, message: StunMessage, key: Uint8Array | string): string {
  const at = offsetOf(message, ATTR.MESSAGE_INTEGRITY);
  const covered = Buffer.from(bytes.subarray(0, at));
  covered.writeUInt16BE(at - 20 + 24, 2);
  return createHmac("sha1", key).update(covered).digest("hex");
}

const valueOf = (message: StunMessage, type: number) => message.attributes.find((a) => a.type === type)?.value;

describe("RFC 5769 STUN test vectors", () => {
  it("names its source", () => {
    expect(vectors.source).toMatch(/RFC 5769.*2\.1-2\.4/);
  });

  it("2.1: parses the sample request, attribute by attribute, with a valid FINGERPRINT", () => {
    const bytes = hex(vectors.sampleRequest.message);
    const m = parsed(vectors.sampleRequest.message);
    expect(m).toMatchObject({ method: METHOD_BINDING, cls: "request", fingerprinted: true });
    expect(Buffer.from(m.transactionId).toString("hex")).toBe(vectors.transactionId);
    expect(m.attributes.map((a) => a.type)).toEqual([ATTR.SOFTWARE, ATTR.PRIORITY, ATTR.ICE_CONTROLLED, ATTR.USERNAME, ATTR.MESSAGE_INTEGRITY, ATTR.FINGERPRINT]);
    expect(text(valueOf(m, ATTR.SOFTWARE)!)).toBe(vectors.sampleRequest.software);
    expect(text(valueOf(m, ATTR.USERNAME)!)).toBe(vectors.sampleRequest.username);
    expect(Buffer.from(valueOf(m, ATTR.PRIORITY)!).toString("hex")).toBe(vectors.sampleRequest.priority);
    expect(Buffer.from(valueOf(m, ATTR.ICE_CONTROLLED)!).toString("hex")).toBe(vectors.sampleRequest.iceControlled);
    // Short-term credential: the key is the password itself.
    expect(integrityOf(bytes, m, vectors.password)).toBe(Buffer.from(valueOf(m, ATTR.MESSAGE_INTEGRITY)!).toString("hex"));
  });

  it.each([
    ["2.2", vectors.ipv4Response, 4],
    ["2.3", vectors.ipv6Response, 6],
  ] as const)("%s: decodes XOR-MAPPED-ADDRESS and encodes it back to the RFC's bytes", (_section, v, family) => {
    const bytes = hex(v.message);
    const m = parsed(v.message);
    expect(m).toMatchObject({ method: METHOD_BINDING, cls: "success", fingerprinted: true });
    expect(text(valueOf(m, ATTR.SOFTWARE)!)).toBe(v.software);
    const value = valueOf(m, ATTR.XOR_MAPPED_ADDRESS)!;
    expect(decodeXorMappedAddress(value, m.transactionId)).toEqual({ address: v.mappedAddress, port: v.mappedPort, family });
    expect(encodeXorMappedAddress(parseIp(v.mappedAddress)!, v.mappedPort, m.transactionId)).toEqual(value);
    expect(integrityOf(bytes, m, vectors.password)).toBe(Buffer.from(valueOf(m, ATTR.MESSAGE_INTEGRITY)!).toString("hex"));
  });

  it.each([vectors.sampleRequest, vectors.ipv4Response, vectors.ipv6Response])("$section: FINGERPRINT is CRC-32 XOR 0x5354554e of what precedes it", (v) => {
    const bytes = hex(v.message);
    const before = bytes.subarray(0, bytes.length - 8);
    expect(fingerprintOver(before)).toBe(Buffer.from(bytes.subarray(bytes.length - 4)).readUInt32BE(0));
    // The CRC itself agrees with zlib's, an independent implementation.
    expect(crc32(before)).toBe(require("node:zlib").crc32(before));
  });

  it("2.4: parses the long-term-credential request (no FINGERPRINT) and its MESSAGE-INTEGRITY covers the right bytes", () => {
    const v = vectors.longTermRequest;
    const bytes = hex(v.message);
    const m = parsed(v.message);
    expect(m).toMatchObject({ method: METHOD_BINDING, cls: "request", fingerprinted: false });
    expect(Buffer.from(m.transactionId).toString("hex")).toBe(v.transactionId);
    expect(text(valueOf(m, ATTR.USERNAME)!)).toBe("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
    expect(text(valueOf(m, ATTR.NONCE)!)).toBe(v.nonce);
    expect(text(valueOf(m, ATTR.REALM)!)).toBe(v.realm);
    // Long-term credential: key = MD5(username ":" realm ":" SASLprep(password)), the RFC's "TheMatrIX".
    const key = require("node:crypto").createHash("md5").update(`\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9:${v.realm}:TheMatrIX`).digest();
    expect(integrityOf(bytes, m, key)).toBe(Buffer.from(valueOf(m, ATTR.MESSAGE_INTEGRITY)!).toString("hex"));
  });

  it("encodes a header and XOR-MAPPED-ADDRESS exactly as 2.2 does", () => {
    const v = vectors.ipv4Response;
    const ours = encodeStunMessage(
      { method: METHOD_BINDING, cls: "success", transactionId: hex(vectors.transactionId), attributes: [{ type: ATTR.XOR_MAPPED_ADDRESS, value: encodeXorMappedAddress(parseIp(v.mappedAddress)!, v.mappedPort, hex(vectors.transactionId)) }] },
      { fingerprint: false },
    );
    const rfc = hex(v.message);
    expect(Buffer.from(ours.subarray(0, 2)).toString("hex")).toBe(Buffer.from(rfc.subarray(0, 2)).toString("hex"));
    expect(ours.subarray(4, 20)).toEqual(rfc.subarray(4, 20));
    expect(ours.subarray(20)).toEqual(rfc.subarray(36, 48));
  });
});
