// Wire format of a ratchet message: a 51-byte header, the secretbox output and
// a 32-byte HMAC over AD || header || ciphertext (docs/protocol.md "Messages").
import { assertBytes, concatBytes, readU32be, readU64be, u32be, u64be } from "./bytes";
import { KIND, MAX_PLAINTEXT, PROTOCOL_VERSION } from "./constants";
import { CryptoError } from "./errors";

export const HEADER_LENGTH = 51;
export const BOX_OVERHEAD = 16;
export const MAC_LENGTH = 32;
export const MESSAGE_OVERHEAD = HEADER_LENGTH + BOX_OVERHEAD + MAC_LENGTH;

/** What a message carries. Control frames (rekey) have an empty body. */
export const FLAG = { data: 0x00, rekeyRequest: 0x01, rekeyAnswer: 0x02 } as const;
export type Flag = (typeof FLAG)[keyof typeof FLAG];
const FLAGS: readonly number[] = Object.values(FLAG);

export interface Header {
  flags: Flag;
  /** Sender's current ratchet public key. */
  dh: Uint8Array;
  /** Number of messages in the sender's previous sending chain. */
  pn: number;
  /** Message number in the current sending chain. */
  n: number;
  /** Sender's clock, epoch milliseconds. */
  sentAt: number;
}

export interface WireMessage {
  header: Header;
  headerBytes: Uint8Array;
  ciphertext: Uint8Array;
  mac: Uint8Array;
}

export function encodeHeader(h: Header): Uint8Array {
  if (!FLAGS.includes(h.flags)) throw new RangeError(`unknown flags ${h.flags}`);
  assertBytes(h.dh, "header.dh", 32);
  return concatBytes(Uint8Array.of(PROTOCOL_VERSION, KIND.message, h.flags), h.dh, u32be(h.pn), u32be(h.n), u64be(h.sentAt));
}

export function encodeMessage(headerBytes: Uint8Array, ciphertext: Uint8Array, mac: Uint8Array): Uint8Array {
  assertBytes(headerBytes, "headerBytes", HEADER_LENGTH);
  assertBytes(mac, "mac", MAC_LENGTH);
  return concatBytes(headerBytes, ciphertext, mac);
}

/** Throws CryptoError MALFORMED (or UNSUPPORTED_VERSION) for anything but a well-formed message. */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  assertBytes(bytes, "message");
  if (bytes.length >= 1 && bytes[0] !== PROTOCOL_VERSION) {
    throw new CryptoError("UNSUPPORTED_VERSION", `message has version ${bytes[0]}`);
  }
  if (bytes.length < MESSAGE_OVERHEAD) throw new CryptoError("MALFORMED", "message is too short");
  if (bytes.length > MESSAGE_OVERHEAD + MAX_PLAINTEXT) throw new CryptoError("MALFORMED", "message is too long");
  if (bytes[1] !== KIND.message) throw new CryptoError("MALFORMED", "not a ratchet message");
  const flags = bytes[2] as number;
  if (!FLAGS.includes(flags)) throw new CryptoError("MALFORMED", "unknown flags");
  const sentAt = readU64be(bytes, 43);
  if (Number.isNaN(sentAt)) throw new CryptoError("MALFORMED", "timestamp out of range");
  const header: Header = {
    flags: flags as Flag,
    dh: bytes.slice(3, 35),
    pn: readU32be(bytes, 35),
    n: readU32be(bytes, 39),
    sentAt,
  };
  return {
    header,
    headerBytes: bytes.slice(0, HEADER_LENGTH),
    ciphertext: bytes.slice(HEADER_LENGTH, bytes.length - MAC_LENGTH),
    mac: bytes.slice(bytes.length - MAC_LENGTH),
  };
}
