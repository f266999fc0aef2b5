// The transcript both ends sign: both hellos in a fixed order, a context
// string and optional channel-binding bytes (e.g. the two DTLS fingerprints),
// each length-prefixed so no two different inputs hash alike.
import { sha256 } from "@noble/hashes/sha2.js";
import { assertBytes, concatBytes, lengthPrefixed, utf8Encode } from "./bytes";
import { LABEL } from "./constants";

export type Role = "alice" | "bob";

const TRANSCRIPT_LABEL = utf8Encode(LABEL.transcript);
const SIGNATURE_LABEL = utf8Encode(LABEL.handshakeSignature);

export function transcriptHash(helloAlice: Uint8Array, helloBob: Uint8Array, channelBinding: Uint8Array): Uint8Array {
  assertBytes(channelBinding, "channelBinding");
  return sha256(lengthPrefixed(TRANSCRIPT_LABEL, channelBinding, helloAlice, helloBob));
}

/** What each side signs: the context, its own role, then the transcript hash. */
export function signedTranscript(role: Role, th: Uint8Array): Uint8Array {
  return concatBytes(SIGNATURE_LABEL, Uint8Array.of(0, role === "alice" ? 0x41 : 0x42), th);
}

/**
 * Canonical channel binding from the two DTLS certificate fingerprints (as in
 * SDP "a=fingerprint:sha-256 AB:CD:..."): case and order do not matter, so
 * both ends derive the same bytes from their local and remote descriptions.
 */
export function channelBindingFromFingerprints(a: string, b: string): Uint8Array {
  if (typeof a !== "string" || typeof b !== "string") throw new TypeError("fingerprints must be strings");
  const norm = [a, b].map((f) => f.trim().toUpperCase());
  if (norm.some((f) => f.length === 0)) throw new RangeError("fingerprints must not be empty");
  norm.sort();
  return lengthPrefixed(utf8Encode("dtls-fingerprints"), ...norm.map(utf8Encode));
}
