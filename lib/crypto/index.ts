/**
 * CommunisP cryptographic core: the W Ratchet. Pure TypeScript over tweetnacl
 * and @noble/hashes; no DOM, no Node, no network. Randomness
 * (`(n) => Uint8Array`) and the clock (`now`, epoch ms) are always injected.
 * The protocol is specified in docs/protocol.md.
 *
 * Identity (identity.ts)
 *   generateIdentity(random): DeviceIdentity           new Ed25519 + X25519 device keys
 *   identityToJSON(id) / identityFromJSON(json)         base64 JSON for IndexedDB (checks keys agree)
 *   publicIdentity(id): { signPublicKey, dhPublicKey }  base64 public halves for the server
 *
 * Handshake (handshake.ts): hello ↔ hello, auth ↔ auth
 *   createHello({ identity, nickname, deviceId, random, primitives? }) → Promise<{ hello: bytes, state }>
 *   acceptHello(state, peerHello, { expectedPeer, channelBinding? }) → Promise<{ auth: bytes, state }>
 *   finishHandshake(state, peerAuth, { now, random, config? }) → Promise<Session>
 *     All three reject with CryptoError with a HandshakeErrorCode on any mismatch,
 *     and a refused handshake wipes its own secrets.
 *   abandonHandshake(state)                              wipes a handshake that will not finish
 *   channelBindingFromFingerprints(a, b): bytes          canonical DTLS-fingerprint binding
 *   decodeHello(bytes): Hello                            peek at a hello (throws MALFORMED)
 *
 * Ratchet (ratchet.ts, ratchet-decrypt.ts, rekey.ts)
 *   ratchetEncrypt(session, plaintext, now): bytes      mutates session; persist afterwards (synchronous: no DH)
 *   ratchetDecrypt(session, wire, now, random, primitives?): Promise<DecryptResult>
 *     { ok: true, kind: "data" | "rekey-request" | "rekey-answer", plaintext, sentAt, answerDue }
 *     { ok: false, code: "DECRYPT_FAILED" | "MALFORMED" | "TOO_MANY_SKIPPED" | "SESSION_EXPIRED" }
 *     Transactional: on failure the session is exactly as before. ratchetEncrypt may
 *     run while it awaits a DH; two decryptions on one session must not overlap.
 *     { ok: false, code: ... | "STALE_CHAIN" }  a peer chain older than the rekey rule allows
 *   rekeyDue(session, now): boolean                    call createRekey when true
 *   msUntilRekey(session, now): number                 when rekeyDue turns true
 *   createRekey(session, now): bytes                   rekey request or answer frame
 *   rekeyOverdue(session, now): boolean                our request unanswered for two periods: close
 *   sessionExpired(session, now): boolean              idle past config.idleMs: drop it
 *   msUntilNextCheck(session, now): number             when any of the three above may change
 *   wipeSession(session)                               zeroes every secret of a session being dropped
 *   sessionToJSON(session) / sessionFromJSON(json)     lossless, skipped keys included
 *
 * Safety numbers (safety-number.ts)
 *   safetyNumber(local, remote): { digits, groups, qr, qrText }
 *   safetyQrMatches(own, scanned): boolean
 *
 * Sealed logs (sealed-log.ts, log-challenge.ts, passphrase.ts)
 *   passphraseProblem(passphrase): string | null       the passphrase rules, in words (enforced at derivation)
 *   createLogKeys(passphrase, random, kdf?, opts?) → Promise<{ keys, bundle }>
 *   unlockLogKeys(passphrase, bundle, opts?) → Promise<LogKeys>   throws OPEN_FAILED on a wrong passphrase
 *   deriveLogKeys(passphrase, salt, kdf, opts?) → Promise<LogKeys>
 *   parseLogBundle(bundle)                              bytes of the public halves
 *   seal(record, logPublicKey, random): bytes
 *   openSealed(sealed, logSecretKey, logPublicKey?): { ok: true, record } | { ok: false, code }
 *   sealedEphemeralKey(sealed) / openSealedWithShared(sealed, shared, logPublicKey)
 *                                                      the same, with the X25519 step done by the caller (WebCrypto)
 *   openLogEpoch(logPublicKey, now, random) → LogEpoch  version-2 sealing: one X25519 per epoch (sync, tweetnacl)
 *   sealInEpoch(epoch, record): bytes                  the epoch's next record; the chain key it used is wiped
 *   logEpochSpent(epoch, now) / closeLogEpoch(epoch)   full, EPOCH_MAX_MS old or closed / wipe the chain key
 *   createLogOpener(keys, primitives?) → Promise<LogOpener>   opens batches of v1 and v2 records; close() wipes
 *   createLogChallenge({ op, sessionId, requesterDeviceId, homeDeviceId, now, random, ttlMs? }) → { challenge, decoded }
 *   checkLogChallenge(challenge, expected): LogChallenge   the requester's checks (throws CHALLENGE_*)
 *   proveLogAccess(challenge, authoritySecretKey, expected): bytes (64)   checks, then signs
 *   verifyLogAccess(challenge, proof, authorityPublicKey, expected)     the home's check
 *     expected = { op, sessionId, requesterDeviceId, homeDeviceId, now }
 *
 * Primitives (primitives.ts, webcrypto-primitives.ts, select-primitives.ts)
 *   Primitives                                         X25519 key pair / DH, Ed25519 sign / verify, all async
 *   tweetnaclPrimitives                                the fallback (pure JavaScript)
 *   webCryptoPrimitives(subtle)                        native, over the SubtleCrypto passed in
 *   selectPrimitives(subtle?) → Promise<Primitives>    native if it passes the RFCs' known answers, else tweetnacl
 *   Same bytes on every path: keys come from the caller's random draws either way.
 *
 * Bytes (bytes.ts): toBase64, fromBase64, toHex, fromHex, equalBytes.
 */
export { fromBase64, fromHex, equalBytes, toBase64, toHex } from "./bytes";
export { IDLE_MS, MAX_PLAINTEXT, MAX_SKIP, PROTOCOL_VERSION, REKEY_GRACE_MS, REKEY_PERIODS, ROTATE_MS, SKIPPED_KEY_TTL_MS } from "./constants";
export { CryptoError, isCryptoError } from "./errors";
export type { CryptoErrorCode, DecryptErrorCode, HandshakeErrorCode, LogErrorCode } from "./errors";
export type { RandomSource } from "./random";
export { tweetnaclPrimitives } from "./primitives";
export type { Primitives } from "./primitives";
export { webCryptoPrimitives } from "./webcrypto-primitives";
export { passesKnownAnswers, selectPrimitives } from "./select-primitives";
export { generateIdentity, identityFromJSON, identityToJSON, publicIdentity } from "./identity";
export type { DeviceIdentity, DeviceIdentityJSON, PublicIdentityJSON } from "./identity";
export { abandonHandshake, acceptHello, createHello, finishHandshake } from "./handshake";
export type { AuthState, ExpectedPeer, HelloState } from "./handshake";
export { decodeHello } from "./hello-format";
export type { Hello } from "./hello-format";
export { channelBindingFromFingerprints } from "./transcript";
export { ratchetEncrypt, sessionExpired } from "./ratchet";
export { ratchetDecrypt } from "./ratchet-decrypt";
export type { DecryptResult, FrameKind } from "./ratchet-decrypt";
export { createRekey, msUntilExpired, msUntilNextCheck, msUntilRekey, rekeyDue, rekeyOverdue } from "./rekey";
export { DEFAULT_CONFIG, wipeSession } from "./session";
export type { PeerInfo, RatchetConfig, Session } from "./session";
export { sessionFromJSON, sessionToJSON } from "./session-json";
export type { SessionJSON } from "./session-json";
export { MESSAGE_OVERHEAD } from "./message-format";
export { safetyNumber, safetyQrMatches } from "./safety-number";
export type { SafetyNumber, SafetyParty } from "./safety-number";
export { DEFAULT_PASSPHRASE_KDF, MIN_PASSPHRASE_CHARS, passphraseProblem } from "./passphrase";
export type { PassphraseKdfParams, PassphraseOptions } from "./passphrase";
export { createLogKeys, deriveLogKeys, openSealed, openSealedWithShared, parseLogBundle, seal, sealedEphemeralKey, unlockLogKeys } from "./sealed-log";
export type { LogKeys, LogPublicBundle, OpenResult } from "./sealed-log";
export { closeLogEpoch, EPOCH_MAX_MS, EPOCH_MAX_RECORDS, logEpochSpent, openLogEpoch, SEALED_EPOCH_OVERHEAD, sealInEpoch } from "./log-epoch";
export type { LogEpoch } from "./log-epoch";
export { createLogOpener, MAX_SKIPPED_RECORD_KEYS } from "./log-opener";
export type { LogOpener } from "./log-opener";
export { checkLogChallenge, createLogChallenge, decodeLogChallenge, LOG_CLOCK_SKEW_MS, MAX_CHALLENGE_TTL_MS, proveLogAccess, verifyLogAccess } from "./log-challenge";
export type { ChallengeExpectation, LogChallenge, LogChallengeOp, VerifyResult } from "./log-challenge";
