import { crc32 } from "./crc32";
import { formatIp, type IpBytes } from "./ip";

// STUN messages (RFC 8489): parse and encode, pure and bounded. Parsing never
// throws on input from the network: anything that is not one well-formed
// STUN message is a failure with a reason. Encoding throws on misuse.

/** RFC 8489 §5: the fixed value that tells STUN from other protocols. */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;
export const TRANSACTION_ID_BYTES = 12;
/**
 * The largest datagram looked at. RFC 8489 §6.1 keeps messages under 548
 * bytes when the path MTU is unknown; 1280 (the IPv6 minimum MTU) leaves
 * room for any real Binding request and none for abuse.
 */
export const MAX_MESSAGE_BYTES = 1280;
/** Attributes walked before a message is refused (a Binding request carries at most about ten). */
export const MAX_ATTRIBUTES = 32;

export const METHOD_BINDING = 0x001;

/** RFC 8489 §18.3 and RFC 8445 §16.1 attribute types. */
export const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  REALM: 0x0014,
  NONCE: 0x0015,
  MESSAGE_INTEGRITY_SHA256: 0x001c,
  PASSWORD_ALGORITHM: 0x001d,
  USERHASH: 0x001e,
  XOR_MAPPED_ADDRESS: 0x0020,
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  PASSWORD_ALGORITHMS: 0x8002,
  ALTERNATE_DOMAIN: 0x8003,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
} as const;

/** RFC 8489 §14.7: the CRC-32 is XOR'ed with this, so a CRC of other data does not pass. */
const FINGERPRINT_XOR = 0x5354554e;

export type StunClass = "request" | "indication" | "success" | "error";
const CLASS_BITS: Record<StunClass, number> = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 };
const CLASS_OF = ["request", "indication", "success", "error"] as const;

export interface StunAttribute {
  type: number;
  value: Uint8Array;
}

export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Uint8Array;
  attributes: StunAttribute[];
  /** Whether a FINGERPRINT was present (it is always checked when it is). */
  fingerprinted: boolean;
}

export type StunParseFailure =
  | "too-short"
  | "too-long"
  | "not-stun"
  | "bad-length"
  | "truncated-attribute"
  | "too-many-attributes"
  | "fingerprint-not-last"
  | "bad-fingerprint";

export type StunParse = { ok: true; message: StunMessage } | { ok: false; reason: StunParseFailure };

/** Attributes 0x0000-0x7FFF must be understood, or the request refused (RFC 8489 §14). */
export const comprehensionRequired = (type: number) => type < 0x8000;

const fail = (reason: StunParseFailure): StunParse => ({ ok: false, reason });
const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const padded = (length: number) => (length + 3) & ~3;

/** RFC 8489 §5: the method's 12 bits and the class's 2 bits interleave in the 14-bit type. */
function splitType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type >> 7) & 0b10) | ((type >> 4) & 0b01);
  return { method, cls: CLASS_OF[cls]! };
}

function joinType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7);
}

export function parseStunMessage(bytes: Uint8Array): StunParse {
  if (bytes.length < HEADER_BYTES) return fail("too-short");
  if (bytes.length > MAX_MESSAGE_BYTES) return fail("too-long");
  // The two most significant bits are zero and the cookie is fixed (§5).
  if ((bytes[0]! & 0xc0) !== 0 || u32(bytes, 4) !== MAGIC_COOKIE) return fail("not-stun");
  const length = u16(bytes, 2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== bytes.length) return fail("bad-length");
  const { method, cls } = splitType(u16(bytes, 0));
  const attributes: StunAttribute[] = [];
  let fingerprinted = false;
  for (let at = HEADER_BYTES; at < bytes.length; ) {
    if (attributes.length >= MAX_ATTRIBUTES) return fail("too-many-attributes");
    if (at + 4 > bytes.length) return fail("truncated-attribute");
    const type = u16(bytes, at);
    const valueLength = u16(bytes, at + 2);
    const next = at + 4 + padded(valueLength);
    if (next > bytes.length) return fail("truncated-attribute");
    if (type === ATTR.FINGERPRINT) {
      // §14.7: always the last attribute, a CRC over everything before it.
      if (next !== bytes.length) return fail("fingerprint-not-last");
      if (valueLength !== 4 || u32(bytes, at + 4) !== fingerprintOver(bytes.subarray(0, at))) return fail("bad-fingerprint");
      fingerprinted = true;
    }
    attributes.push({ type, value: bytes.slice(at + 4, at + 4 + valueLength) });
    at = next;
  }
  return { ok: true, message: { method, cls, transactionId: bytes.slice(8, HEADER_BYTES), attributes, fingerprinted } };
}

/** FINGERPRINT's value for a message whose header length already counts the FINGERPRINT attribute. */
export function fingerprintOver(before: Uint8Array): number {
  return (crc32(before) ^ FINGERPRINT_XOR) >>> 0;
}

export interface StunMessageInit {
  method: number;
  cls: StunClass;
  transactionId: Uint8Array;
  attributes: StunAttribute[];
}

/** Encodes a message, appending a FINGERPRINT unless told not to. Padding bytes are zero. */
export function encodeStunMessage(init: StunMessageInit, opts: { fingerprint?: boolean } = {}): Uint8Array {
  if (!(init.transactionId instanceof Uint8Array) || init.transactionId.length !== TRANSACTION_ID_BYTES) {
    throw new TypeError(`transactionId must be a Uint8Array of ${TRANSACTION_ID_BYTES} bytes`);
  }
  if (!Number.isInteger(init.method) || init.method < 0 || init.method > 0xfff) throw new RangeError("method must be a 12-bit integer");
  const withFingerprint = opts.fingerprint ?? true;
  let length = 0;
  for (const { type, value } of init.attributes) {
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) throw new RangeError("attribute type must be a 16-bit integer");
    if (value.length > 0xffff) throw new RangeError("attribute value must be at most 65535 bytes");
    length += 4 + padded(value.length);
  }
  if (withFingerprint) length += 8;
  if (HEADER_BYTES + length > MAX_MESSAGE_BYTES) throw new RangeError(`a STUN message must be at most ${MAX_MESSAGE_BYTES} bytes`);
  const out = new Uint8Array(HEADER_BYTES + length);
  const view = new DataView(out.buffer);
  view.setUint16(0, joinType(init.method, init.cls));
  view.setUint16(2, length);
  view.setUint32(4, MAGIC_COOKIE);
  out.set(init.transactionId, 8);
  let at = HEADER_BYTES;
  for (const { type, value } of init.attributes) {
    view.setUint16(at, type);
    view.setUint16(at + 2, value.length);
    out.set(value, at + 4);
    at += 4 + padded(value.length);
  }
  if (withFingerprint) {
    view.setUint16(at, ATTR.FINGERPRINT);
    view.setUint16(at + 2, 4);
    view.setUint32(at + 4, fingerprintOver(out.subarray(0, at)));
  }
  return out;
}

/** RFC 8489 §14.2: the port XOR'ed with the cookie's top half, the address with the cookie (and for IPv6 the transaction id). */
export function encodeXorMappedAddress(ip: IpBytes, port: number, transactionId: Uint8Array): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError("port must be a 16-bit integer");
  if (transactionId.length !== TRANSACTION_ID_BYTES) throw new TypeError(`transactionId must be ${TRANSACTION_ID_BYTES} bytes`);
  const size = ip.family === 4 ? 4 : 16;
  if (ip.bytes.length !== size) throw new TypeError(`an IPv${ip.family} address is ${size} bytes`);
  const out = new Uint8Array(4 + size);
  out[1] = ip.family === 4 ? 0x01 : 0x02;
  const xorPort = port ^ (MAGIC_COOKIE >>> 16);
  out[2] = xorPort >> 8;
  out[3] = xorPort & 0xff;
  const mask = xorMask(transactionId);
  for (let i = 0; i < size; i++) out[4 + i] = ip.bytes[i]! ^ mask[i]!;
  return out;
}

export function decodeXorMappedAddress(value: Uint8Array, transactionId: Uint8Array): { address: string; port: number; family: 4 | 6 } | null {
  if (value.length < 4 || transactionId.length !== TRANSACTION_ID_BYTES) return null;
  const family = value[1] === 0x01 ? 4 : value[1] === 0x02 ? 6 : null;
  if (family === null || value.length !== (family === 4 ? 8 : 20)) return null;
  const port = u16(value, 2) ^ (MAGIC_COOKIE >>> 16);
  const mask = xorMask(transactionId);
  const bytes = value.slice(4).map((b, i) => b ^ mask[i]!);
  return { address: formatIp({ family, bytes } as IpBytes), port, family };
}

function xorMask(transactionId: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE);
  mask.set(transactionId, 4);
  return mask;
}

/** RFC 8489 §14.8: class (hundreds) and number, then a UTF-8 reason phrase. */
export function encodeErrorCode(code: number, reason: string): Uint8Array {
  if (!Number.isInteger(code) || code < 300 || code > 699) throw new RangeError("an error code is 300-699");
  const phrase = new TextEncoder().encode(reason);
  if (phrase.length > 763) throw new RangeError("a reason phrase is at most 763 bytes");
  const out = new Uint8Array(4 + phrase.length);
  out[2] = Math.floor(code / 100);
  out[3] = code % 100;
  out.set(phrase, 4);
  return out;
}

/** RFC 8489 §14.9: the 16-bit types that were not understood. */
export function encodeUnknownAttributes(types: number[]): Uint8Array {
  const out = new Uint8Array(types.length * 2);
  types.forEach((type, i) => {
    out[2 * i] = type >> 8;
    out[2 * i + 1] = type & 0xff;
  });
  return out;
}
