// Byte helpers with no dependency on Buffer or the DOM, so the same code runs
// in the browser, in Node and in Jest.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d; // "="
/** Alphabet index → character code. */
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
/** Character code → alphabet index; -1 for every code outside the alphabet. */
const B64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUES[B64.charCodeAt(i)] = i;
/** Characters per String.fromCharCode call: well under engines' argument limits. */
const B64_SLICE = 8192;

/** Also accepts a Uint8Array from another realm (iframe, Node vm), as noble's isBytes does. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === "Uint8Array");
}

export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!isBytes(value)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Compares in time that depends only on the lengths, never on the contents. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Lexicographic order, used to give both ends of a handshake the same view. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function isAllZero(a: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i] as number;
  return acc === 0;
}

export function wipe(...arrays: (Uint8Array | null | undefined)[]): void {
  for (const a of arrays) if (a) a.fill(0);
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/** Encodes a non-negative safe integer (epoch milliseconds fit) as 8 bytes. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`u64 out of range: ${n}`);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 0x100000000), false);
  view.setUint32(4, n >>> 0, false);
  return out;
}

export function readU32be(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, false);
}

/** Returns NaN when the value does not fit in a safe integer, so callers can reject it. */
export function readU64be(bytes: Uint8Array, offset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hi = view.getUint32(offset, false);
  const lo = view.getUint32(offset + 4, false);
  if (hi > 0x1fffff) return Number.NaN;
  return hi * 0x100000000 + lo;
}

/** Length-prefixed (u32 big-endian) encoding: unambiguous concatenation for hashing. */
export function lengthPrefixed(...parts: Uint8Array[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const p of parts) pieces.push(u32be(p.length), p);
  return concatBytes(...pieces);
}

export function utf8Encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Strict decoding: malformed UTF-8 throws instead of being replaced. */
export function utf8Decode(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] as number).toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== "string") throw new TypeError("hex must be a string");
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError("invalid hex string");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  // Character codes into a reused buffer, turned into a string a slice at a
  // time: string concatenation per character was the cost of sending logs.
  const out = new Uint16Array(Math.min(4 * Math.ceil(bytes.length / 3), B64_SLICE));
  let s = "";
  let o = 0;
  const put = (code: number) => {
    out[o++] = code;
    if (o === out.length) {
      s += String.fromCharCode.apply(null, out as unknown as number[]);
      o = 0;
    }
  };
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    put(B64_CODES[n >>> 18] as number);
    put(B64_CODES[(n >>> 12) & 63] as number);
    put(B64_CODES[(n >>> 6) & 63] as number);
    put(B64_CODES[n & 63] as number);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    put(B64_CODES[n >>> 18] as number);
    put(B64_CODES[(n >>> 12) & 63] as number);
    put(rest === 2 ? (B64_CODES[(n >>> 6) & 63] as number) : PAD);
    put(PAD);
  }
  if (o > 0) s += String.fromCharCode.apply(null, out.subarray(0, o) as unknown as number[]);
  return s;
}

/** Accepts only canonical padded base64; anything else is a RangeError. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError("base64 must be a string");
  if (text.length % 4 !== 0) throw new RangeError("invalid base64 string");
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  const dataChars = text.length - pad;
  let o = 0;
  let n = 0;
  for (let i = 0; i < dataChars; i++) {
    const v = B64_VALUES[text.charCodeAt(i)];
    // Anything outside the alphabet, including "=" before the end.
    if (v === undefined || v < 0) throw new RangeError("invalid base64 string");
    n = (n << 6) | v;
    if ((i & 3) === 3) {
      out[o++] = n >>> 16;
      out[o++] = (n >>> 8) & 255;
      out[o++] = n & 255;
      n = 0;
    }
  }
  // The last group: 2 or 3 characters carry 1 or 2 bytes; the bits left over
  // must be zero, or two texts would decode to the same bytes (not canonical).
  if (pad === 2) {
    if ((n & 0xf) !== 0) throw new RangeError("invalid base64 string");
    out[o++] = n >>> 4;
  } else if (pad === 1) {
    if ((n & 0x3) !== 0) throw new RangeError("invalid base64 string");
    out[o++] = n >>> 10;
    out[o++] = (n >>> 2) & 255;
  }
  return out;
}
