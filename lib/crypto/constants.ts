// Wire constants and the parameters of the W Ratchet. Labels are ASCII and
// versioned so that no key, hash or signature of one purpose can stand in for
// another (domain separation).

export const PROTOCOL_VERSION = 1;

/** Second byte of every binary message: what kind of message follows. */
export const KIND = {
  hello: 0x01,
  auth: 0x02,
  message: 0x03,
  sealedRecord: 0x04,
  logChallenge: 0x05,
} as const;

/** Double Ratchet spec §3.2: bound on message keys skipped in one chain. */
export const MAX_SKIP = 1000;
/** Our addition (docs/protocol.md "Rekey"): force a DH round trip this often. */
export const ROTATE_MS = 60_000;
/**
 * A rekey request unanswered for this many periods ends the session (the
 * sender's rule), and a peer chain older than this many periods plus
 * REKEY_GRACE_MS is refused (the receiver's rule). docs/protocol.md "Rekey".
 */
export const REKEY_PERIODS = 2;
/** Slack for delivery time and throttled timers in background tabs (receiver's rule). */
export const REKEY_GRACE_MS = 30_000;
/** Skipped message keys are deleted this long after they were stored. */
export const SKIPPED_KEY_TTL_MS = 5 * 60_000;
/** A session that carried no application data for this long is dropped. */
export const IDLE_MS = 24 * 60 * 60_000;
/** Hard cap on stored skipped keys across all chains (spec §3.2, deletion policy). */
export const MAX_SKIPPED_KEYS = 2 * MAX_SKIP;
/** Largest plaintext one ratchet message may carry. */
export const MAX_PLAINTEXT = 1 << 20;

export const LABEL = {
  transcript: "CommunisP/W1/transcript",
  root: "CommunisP/W1/root",
  handshakeSignature: "CommunisP/W1/handshake-signature",
  kdfRk: "CommunisP/W1/kdf-rk",
  messageKeys: "CommunisP/W1/message-keys",
  safetyNumber: "CommunisP/W1/safety-number",
  passphrase: "CommunisP/W1/log-master",
  logBox: "CommunisP/W1/log-box-key",
  logAuthority: "CommunisP/W1/log-authority-key",
  sealNonce: "CommunisP/W1/sealed-record-nonce",
  logEpoch: "CommunisP/W1/log-epoch",
  logProof: "CommunisP/W1/log-proof",
} as const;
