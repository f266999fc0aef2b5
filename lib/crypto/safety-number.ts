// Safety numbers after Signal's NumericFingerprintGenerator: each side's
// identity key and stable id are hashed with iterated SHA-512 (so a brute
// force for a colliding key is expensive), 30 digits are read from each, and
// the two halves are sorted so both ends display the same 60 digits.
import { sha512 } from "@noble/hashes/sha2.js";
import { assertBytes, compareBytes, concatBytes, equalBytes, fromHex, isBytes, lengthPrefixed, toHex, utf8Encode } from "./bytes";
import { LABEL } from "./constants";

export const SAFETY_NUMBER_VERSION = 1;
export const SAFETY_NUMBER_ITERATIONS = 5200;
const QR_PREFIX = "CPSN1:";

export interface SafetyParty {
  /** A stable, public name for the party, e.g. its nickname. */
  stableId: string;
  /** The party's Ed25519 device identity key. */
  signPublicKey: Uint8Array;
}

export interface SafetyNumber {
  /** 60 decimal digits. */
  digits: string;
  /** The same digits as 12 groups of 5, for display. */
  groups: string[];
  /** QR payload: version byte, then both 32-byte fingerprints in display order. */
  qr: Uint8Array;
  /** The QR payload as text (QR alphanumeric mode): "CPSN1:" + uppercase hex. */
  qrText: string;
}

function fingerprint(party: SafetyParty): Uint8Array {
  if (typeof party?.stableId !== "string" || party.stableId.length === 0) throw new TypeError("stableId must be a non-empty string");
  assertBytes(party.signPublicKey, "signPublicKey", 32);
  const key = party.signPublicKey;
  let hash = sha512(concatBytes(lengthPrefixed(utf8Encode(LABEL.safetyNumber), utf8Encode(party.stableId)), key));
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) hash = sha512(concatBytes(hash, key));
  return hash.slice(0, 32);
}

/** Six 5-digit chunks from the first 30 bytes, each a 40-bit big-endian integer mod 100000. */
function digitsOf(fp: Uint8Array): string {
  let out = "";
  for (let c = 0; c < 6; c++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + (fp[c * 5 + i] as number);
    out += String(v % 100000).padStart(5, "0");
  }
  return out;
}

export function safetyNumber(local: SafetyParty, remote: SafetyParty): SafetyNumber {
  const a = fingerprint(local);
  const b = fingerprint(remote);
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const digits = digitsOf(first) + digitsOf(second);
  const groups = digits.match(/\d{5}/g) ?? [];
  const qr = concatBytes(Uint8Array.of(SAFETY_NUMBER_VERSION), first, second);
  return { digits, groups, qr, qrText: QR_PREFIX + toHex(qr).toUpperCase() };
}

/** True when a scanned QR payload (bytes or text) matches our own safety number. */
export function safetyQrMatches(own: SafetyNumber, scanned: Uint8Array | string): boolean {
  let bytes: Uint8Array;
  if (typeof scanned === "string") {
    if (!scanned.startsWith(QR_PREFIX)) return false;
    try {
      bytes = fromHex(scanned.slice(QR_PREFIX.length));
    } catch {
      return false;
    }
  } else if (isBytes(scanned)) {
    bytes = scanned;
  } else {
    throw new TypeError("scanned must be a Uint8Array or a string");
  }
  return equalBytes(bytes, own.qr);
}
