// Expected failures carry a code from a closed union so callers can switch on
// it; misuse (wrong types, wrong lengths) throws TypeError/RangeError instead.

/** Why a handshake ended. Each is final: start a new handshake. */
export type HandshakeErrorCode =
  | "MALFORMED" // bytes do not parse as the expected handshake message
  | "UNSUPPORTED_VERSION" // peer speaks another protocol version
  | "REFLECTED" // the peer's hello is our own (or reuses our ephemeral key)
  | "UNEXPECTED_IDENTITY" // nickname, device id or signing key is not the one expected
  | "TRANSCRIPT_MISMATCH" // the two sides hashed different hellos or channel bindings
  | "BAD_SIGNATURE" // the transcript signature does not verify
  | "WEAK_KEY"; // an ephemeral key gave an all-zero shared secret

/**
 * Why ratchetDecrypt refused a message. DECRYPT_FAILED is deliberately one
 * opaque code for every authentication outcome (bad MAC, replay, unknown or
 * expired key) so that it is no oracle. The other codes depend only on public
 * header fields, the local clock, or the message's shape.
 */
export type DecryptErrorCode =
  | "DECRYPT_FAILED"
  | "MALFORMED" // not a well-formed ratchet message of this version
  | "TOO_MANY_SKIPPED" // the header asks to skip more than MAX_SKIP keys in one chain
  | "SESSION_EXPIRED" // idle for longer than the session's idleMs: handshake again
  | "STALE_CHAIN"; // the message is on a peer chain older than the rekey rule allows

export type LogErrorCode =
  | "MALFORMED"
  | "OPEN_FAILED" // a wrong passphrase, or a record sealed under other keys
  | "PROOF_INVALID"
  | "CHALLENGE_EXPIRED" // outside the challenge's validity window (or too long a window)
  | "CHALLENGE_MISMATCH" // the challenge names another operation, device or channel
  | "PASSPHRASE_INVALID"; // the passphrase breaks the rules (too short, too long)

export type CryptoErrorCode = HandshakeErrorCode | DecryptErrorCode | LogErrorCode;

export class CryptoError<C extends CryptoErrorCode = CryptoErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string) {
    super(message);
    this.name = "CryptoError";
    this.code = code;
  }
}

export function isCryptoError(value: unknown): value is CryptoError {
  return value instanceof CryptoError;
}
