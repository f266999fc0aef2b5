// Looks for a message text in recorded traffic in every form a careless
// client or server could have put it on the wire: the end-to-end tests use
// it to assert that no plaintext ever reached the server.

import type { LeakHit, ProxyRecord } from "./types";

export interface NeedleEncoding {
  name: string;
  bytes: Buffer;
}

/**
 * Below this many UTF-8 bytes a needle's base64 and hex forms get short
 * enough to turn up by chance in ciphertext, so a "leak" would mean nothing.
 */
export const MIN_NEEDLE_BYTES = 8;

/** JSON string body (no quotes) with every non-ASCII UTF-16 unit as \uXXXX, as Python's json.dumps and others write it. */
function jsonAsciiEscaped(needle: string, upper: boolean): string {
  return JSON.stringify(needle)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (unit) => {
      const hex = unit.charCodeAt(0).toString(16).padStart(4, "0");
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    });
}

/** What React's server renderer writes for text content. */
function htmlEscaped(needle: string): string {
  const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
  return needle.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/**
 * Base64 of the needle as it would appear inside a longer base64 blob.
 *
 * Base64 encodes 3-byte groups, so the needle's characters depend on where
 * it starts relative to a group: there are three alignments. For alignment k
 * we encode k placeholder bytes followed by the needle and keep only the
 * characters whose 6 bits come entirely from the needle: character i covers
 * bits [6i, 6i+6), so the first stable one is ceil(8k/6) and the last one
 * ends at or before bit 8(k+n). The dropped edge characters mix in unknown
 * neighbouring bytes (or padding). For an n-byte needle about 4n/3 - 2
 * characters remain: 10 or more (60+ bits) at MIN_NEEDLE_BYTES, ~24 for the
 * 20-character texts the end-to-end tests use, far beyond chance matches.
 */
function base64Stable(needle: Buffer, alignment: number, alphabet: "base64" | "base64url"): string {
  const encoded = Buffer.concat([Buffer.alloc(alignment), needle]).toString(alphabet);
  const first = Math.ceil((8 * alignment) / 6);
  const end = Math.floor((8 * (alignment + needle.length)) / 6);
  return encoded.slice(first, end);
}

function textForms(needle: string): [string, string][] {
  const json = JSON.stringify(needle).slice(1, -1);
  return [
    ["utf-8", needle],
    ["json-escaped", json],
    ["json-unicode-escaped", jsonAsciiEscaped(needle, false)],
    ["json-unicode-escaped-upper", jsonAsciiEscaped(needle, true)],
    // Pusher events carry `data` as a JSON string inside a JSON frame.
    ["json-escaped-twice", JSON.stringify(json).slice(1, -1)],
    ["url-encoded", encodeURIComponent(needle)],
    ["url-encoded-plus", encodeURIComponent(needle).replace(/%20/g, "+")],
    ["form-urlencoded", new URLSearchParams([["x", needle]]).toString().slice(2)],
    ["html-escaped", htmlEscaped(needle)],
  ];
}

function binaryForms(utf8: Buffer): [string, string][] {
  const forms: [string, string][] = [];
  for (const alphabet of ["base64", "base64url"] as const) {
    for (const alignment of [0, 1, 2]) forms.push([`${alphabet}@${alignment}`, base64Stable(utf8, alignment, alphabet)]);
  }
  forms.push(["hex", utf8.toString("hex")], ["hex-upper", utf8.toString("hex").toUpperCase()]);
  return forms;
}

/** Every byte sequence `needle` may take on the wire, named; forms that coincide (e.g. ASCII text) are kept once, under the first name. */
export function needleEncodings(needle: string): NeedleEncoding[] {
  const utf8 = Buffer.from(needle, "utf8");
  if (utf8.length < MIN_NEEDLE_BYTES) {
    throw new RangeError(`needle too short (${utf8.length} bytes): use at least ${MIN_NEEDLE_BYTES} UTF-8 bytes so that base64/hex matches are not chance`);
  }
  const utf16le = Buffer.from(needle, "utf16le");
  const candidates: NeedleEncoding[] = [
    ...[...textForms(needle), ...binaryForms(utf8)].map(([name, text]) => ({ name, bytes: Buffer.from(text, "utf8") })),
    { name: "utf-16le", bytes: utf16le },
    { name: "utf-16be", bytes: Buffer.from(utf16le).swap16() },
  ];
  const seen = new Set<string>();
  return candidates.filter(({ bytes }) => {
    const key = bytes.toString("latin1");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * `bytes` with %XX sequences decoded (and, if `plusIsSpace`, "+" read as a
 * space). Percent-encoders disagree on which characters they escape (a
 * browser's URL parser escapes "'" in queries, encodeURIComponent does not)
 * and on hex case; decoding the haystack covers them all at once.
 */
export function percentDecoded(bytes: Buffer, plusIsSpace: boolean): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const high = byte === 0x25 ? hexDigit(bytes[i + 1]) : -1;
    const low = high === -1 ? -1 : hexDigit(bytes[i + 2]);
    if (low !== -1) {
      out[length++] = high * 16 + low;
      i += 2;
    } else out[length++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, length);
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

const URL_FAMILY = new Set(["utf-8", "url-encoded", "url-encoded-plus", "form-urlencoded"]);

/** The "percent-decoded" hit, for percent-encodings none of the exact forms match. */
function percentDecodedHit(haystack: Buffer, utf8: Buffer, exactHits: readonly string[]): string[] {
  if (exactHits.some((name) => URL_FAMILY.has(name)) || haystack.indexOf(0x25) === -1) return [];
  const found = [false, true].some((plusIsSpace) => percentDecoded(haystack, plusIsSpace).indexOf(utf8) !== -1);
  return found ? ["percent-decoded"] : [];
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Names of the encodings of `needle` found in `bytes`. */
export function encodingsIn(bytes: Uint8Array, needle: string, encodings: readonly NeedleEncoding[] = needleEncodings(needle)): string[] {
  const haystack = asBuffer(bytes);
  const exact = encodings.filter((e) => haystack.indexOf(e.bytes) !== -1).map((e) => e.name);
  return [...exact, ...percentDecodedHit(haystack, Buffer.from(needle, "utf8"), exact)];
}

/** Every (record, encoding) pair in which `needle` occurs; empty when the traffic is clean. */
export function findLeaksIn(records: readonly ProxyRecord[], needle: string): LeakHit[] {
  const encodings = needleEncodings(needle);
  return records.flatMap((record) => encodingsIn(record.bytes, needle, encodings).map((encoding) => ({ record, encoding })));
}
