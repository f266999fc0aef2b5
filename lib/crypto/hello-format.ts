// Wire formats of the two handshake messages. Decoders validate every length
// and throw CryptoError (MALFORMED / UNSUPPORTED_VERSION) on anything else, so
// random bytes from the network never reach the key code.
import { assertBytes, concatBytes, utf8Decode, utf8Encode } from "./bytes";
import { KIND, PROTOCOL_VERSION } from "./constants";
import { CryptoError } from "./errors";

export const MAX_NICKNAME_BYTES = 64;
export const MAX_DEVICE_ID_BYTES = 128;
const HELLO_FIXED = 2 + 32 + 32 + 32;
export const AUTH_LENGTH = 2 + 32 + 64;

export interface Hello {
  version: number;
  nickname: string;
  deviceId: string;
  /** Ed25519 device identity key. */
  signPublicKey: Uint8Array;
  /** X25519 key used once, for this handshake. */
  ephemeralPublicKey: Uint8Array;
  /** 32 random bytes: makes each transcript unique. */
  nonce: Uint8Array;
}

export interface Auth {
  transcriptHash: Uint8Array;
  signature: Uint8Array;
}

function encodeText(text: string, name: string, max: number): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`${name} must be a string`);
  const bytes = utf8Encode(text);
  if (bytes.length < 1 || bytes.length > max) throw new RangeError(`${name} must be 1..${max} UTF-8 bytes`);
  return bytes;
}

export function encodeHello(hello: Hello): Uint8Array {
  if (hello.version !== PROTOCOL_VERSION) throw new RangeError(`hello version must be ${PROTOCOL_VERSION}`);
  assertBytes(hello.signPublicKey, "signPublicKey", 32);
  assertBytes(hello.ephemeralPublicKey, "ephemeralPublicKey", 32);
  assertBytes(hello.nonce, "nonce", 32);
  const nick = encodeText(hello.nickname, "nickname", MAX_NICKNAME_BYTES);
  const dev = encodeText(hello.deviceId, "deviceId", MAX_DEVICE_ID_BYTES);
  return concatBytes(
    Uint8Array.of(hello.version, KIND.hello),
    hello.signPublicKey,
    hello.ephemeralPublicKey,
    hello.nonce,
    Uint8Array.of(nick.length),
    nick,
    Uint8Array.of(dev.length),
    dev,
  );
}

function checkEnvelope(bytes: Uint8Array, kind: number, what: string): void {
  assertBytes(bytes, what);
  if (bytes.length < 2) throw new CryptoError("MALFORMED", `${what} is too short`);
  if (bytes[0] !== PROTOCOL_VERSION) throw new CryptoError("UNSUPPORTED_VERSION", `${what} has version ${bytes[0]}`);
  if (bytes[1] !== kind) throw new CryptoError("MALFORMED", `${what} has the wrong kind byte`);
}

function readText(bytes: Uint8Array, offset: number, max: number, what: string): { text: string; end: number } {
  const len = bytes[offset];
  if (len === undefined || len < 1 || len > max || offset + 1 + len > bytes.length) {
    throw new CryptoError("MALFORMED", `${what} has a bad length`);
  }
  try {
    return { text: utf8Decode(bytes.subarray(offset + 1, offset + 1 + len)), end: offset + 1 + len };
  } catch {
    throw new CryptoError("MALFORMED", `${what} is not UTF-8`);
  }
}

export function decodeHello(bytes: Uint8Array): Hello {
  checkEnvelope(bytes, KIND.hello, "hello");
  if (bytes.length < HELLO_FIXED + 2) throw new CryptoError("MALFORMED", "hello is too short");
  const nick = readText(bytes, HELLO_FIXED, MAX_NICKNAME_BYTES, "hello nickname");
  const dev = readText(bytes, nick.end, MAX_DEVICE_ID_BYTES, "hello deviceId");
  if (dev.end !== bytes.length) throw new CryptoError("MALFORMED", "hello has trailing bytes");
  return {
    version: PROTOCOL_VERSION,
    nickname: nick.text,
    deviceId: dev.text,
    signPublicKey: bytes.slice(2, 34),
    ephemeralPublicKey: bytes.slice(34, 66),
    nonce: bytes.slice(66, 98),
  };
}

export function encodeAuth(auth: Auth): Uint8Array {
  assertBytes(auth.transcriptHash, "transcriptHash", 32);
  assertBytes(auth.signature, "signature", 64);
  return concatBytes(Uint8Array.of(PROTOCOL_VERSION, KIND.auth), auth.transcriptHash, auth.signature);
}

export function decodeAuth(bytes: Uint8Array): Auth {
  checkEnvelope(bytes, KIND.auth, "auth");
  if (bytes.length !== AUTH_LENGTH) throw new CryptoError("MALFORMED", "auth has the wrong length");
  return { transcriptHash: bytes.slice(2, 34), signature: bytes.slice(34, 98) };
}
