// Mutually authenticated handshake over an untrusted channel (docs/protocol.md
// "Handshake"): hello ↔ hello, then auth ↔ auth. Each side signs the
// transcript hash with its device key and checks the other's signature against
// the key it expected for that nickname/device. The first root key is HKDF over
// the ephemeral X25519 output with the transcript hash as info.
import { assertBytes, compareBytes, concatBytes, equalBytes, isBytes, utf8Encode, wipe } from "./bytes";
import { LABEL, PROTOCOL_VERSION } from "./constants";
import { generateDhWith, wipeDhKeyPair, type DhKeyPair } from "./dh";
import { CryptoError } from "./errors";
import { decodeAuth, decodeHello, encodeAuth, encodeHello, type Hello } from "./hello-format";
import type { DeviceIdentity } from "./identity";
import { hkdfSha256 } from "./kdf";
import { tweetnaclPrimitives, type Primitives } from "./primitives";
import { assertNow, assertRandom, draw, type RandomSource } from "./random";
import { checkConfig, DEFAULT_CONFIG, initSession, type PeerInfo, type RatchetConfig, type Session } from "./session";
import { signedTranscript, transcriptHash, type Role } from "./transcript";

/** The peer we mean to talk to, or a lookup from the claimed nickname/device to its signing key. */
export type ExpectedPeer =
  | { signPublicKey: Uint8Array; nickname?: string; deviceId?: string }
  | ((claimed: { nickname: string; deviceId: string }) => Uint8Array | null | undefined);

export interface HelloState {
  readonly stage: "hello";
  primitives: Primitives;
  identity: DeviceIdentity;
  hello: Hello;
  helloBytes: Uint8Array;
  ephemeral: DhKeyPair;
  used: boolean;
}

export interface AuthState {
  readonly stage: "auth";
  primitives: Primitives;
  role: Role;
  local: PeerInfo;
  remote: PeerInfo;
  transcriptHash: Uint8Array;
  shared: Uint8Array;
  ephemeral: DhKeyPair;
  remoteEphemeral: Uint8Array;
  used: boolean;
}

/**
 * Draws 32 bytes for the ephemeral key, then 32 for the nonce. `primitives`
 * (default tweetnacl) serve the whole handshake and give the same bytes on
 * every path.
 */
export async function createHello(opts: { identity: DeviceIdentity; nickname: string; deviceId: string; random: RandomSource; primitives?: Primitives }): Promise<{
  hello: Uint8Array;
  state: HelloState;
}> {
  assertRandom(opts.random);
  assertBytes(opts.identity?.signSecretKey, "identity.signSecretKey", 64);
  const primitives = opts.primitives ?? tweetnaclPrimitives;
  const ephemeral = await generateDhWith(opts.random, primitives);
  const hello: Hello = {
    version: PROTOCOL_VERSION,
    nickname: opts.nickname,
    deviceId: opts.deviceId,
    signPublicKey: opts.identity.signPublicKey.slice(),
    ephemeralPublicKey: ephemeral.publicKey,
    nonce: draw(opts.random, 32),
  };
  const helloBytes = encodeHello(hello);
  return { hello: helloBytes.slice(), state: { stage: "hello", primitives, identity: opts.identity, hello, helloBytes, ephemeral, used: false } };
}

function expectedKey(expected: ExpectedPeer, peer: Hello): Uint8Array | null | undefined {
  if (typeof expected === "function") return expected({ nickname: peer.nickname, deviceId: peer.deviceId });
  if (expected.nickname !== undefined && expected.nickname !== peer.nickname) return null;
  if (expected.deviceId !== undefined && expected.deviceId !== peer.deviceId) return null;
  return expected.signPublicKey;
}

function checkPeer(state: HelloState, peer: Hello, expected: ExpectedPeer): void {
  const own = state.hello;
  if (
    equalBytes(peer.ephemeralPublicKey, own.ephemeralPublicKey) ||
    equalBytes(peer.nonce, own.nonce) ||
    equalBytes(peer.signPublicKey, own.signPublicKey)
  ) {
    throw new CryptoError("REFLECTED", "the peer's hello repeats our own");
  }
  const key = expectedKey(expected, peer);
  if (!isBytes(key) || !equalBytes(key, peer.signPublicKey)) {
    throw new CryptoError("UNEXPECTED_IDENTITY", "the peer is not the device we expected");
  }
}

/**
 * Reads the peer's hello and answers with our auth message. channelBinding
 * must be the same bytes on both sides (see channelBindingFromFingerprints).
 */
export async function acceptHello(
  state: HelloState,
  peerHello: Uint8Array,
  opts: { expectedPeer: ExpectedPeer; channelBinding?: Uint8Array },
): Promise<{ auth: Uint8Array; state: AuthState }> {
  if (state?.stage !== "hello") throw new TypeError("state must come from createHello");
  if (state.used) throw new TypeError("this hello state was already used");
  if (opts?.expectedPeer === undefined) throw new TypeError("opts.expectedPeer is required");
  if (opts.channelBinding !== undefined) assertBytes(opts.channelBinding, "channelBinding");
  // Every failure is final (start a new handshake), so the ephemeral secret
  // goes at once: a refused handshake leaves no secret behind.
  state.used = true;
  try {
    return await answerHello(state, peerHello, opts);
  } catch (error) {
    wipeDhKeyPair(state.ephemeral);
    throw error;
  }
}

async function answerHello(state: HelloState, peerHello: Uint8Array, opts: { expectedPeer: ExpectedPeer; channelBinding?: Uint8Array }): Promise<{ auth: Uint8Array; state: AuthState }> {
  const peer = decodeHello(peerHello);
  checkPeer(state, peer, opts.expectedPeer);
  const role: Role = compareBytes(state.hello.ephemeralPublicKey, peer.ephemeralPublicKey) < 0 ? "alice" : "bob";
  const [a, b] = role === "alice" ? [state.helloBytes, peerHello] : [peerHello, state.helloBytes];
  const th = transcriptHash(a, b, opts.channelBinding ?? new Uint8Array(0));
  // The two native calls are independent: run them together. A signature made
  // for a handshake refused as WEAK_KEY is dropped unsent.
  const { primitives } = state;
  const [shared, signature] = await Promise.all([
    primitives.x25519(state.ephemeral, peer.ephemeralPublicKey),
    primitives.ed25519Sign(state.identity.signSecretKey, signedTranscript(role, th)),
  ]);
  if (!shared) throw new CryptoError("WEAK_KEY", "the peer's ephemeral key is of low order");
  const info = (h: Hello): PeerInfo => ({ nickname: h.nickname, deviceId: h.deviceId, signPublicKey: h.signPublicKey.slice() });
  const next: AuthState = {
    stage: "auth",
    primitives,
    role,
    local: info(state.hello),
    remote: info(peer),
    transcriptHash: th,
    shared,
    ephemeral: state.ephemeral,
    remoteEphemeral: peer.ephemeralPublicKey,
    used: false,
  };
  return { auth: encodeAuth({ transcriptHash: th, signature }), state: next };
}

/** Wipes the secrets of a handshake that will not finish (the channel closed, or timed out). */
export function abandonHandshake(state: HelloState | AuthState): void {
  state.used = true;
  wipeDhKeyPair(state.ephemeral);
  if (state.stage === "auth") wipe(state.shared);
}

async function checkAuth(state: AuthState, peerAuth: Uint8Array): Promise<void> {
  const auth = decodeAuth(peerAuth);
  if (!equalBytes(auth.transcriptHash, state.transcriptHash)) {
    throw new CryptoError("TRANSCRIPT_MISMATCH", "the peer saw a different transcript");
  }
  const peerRole: Role = state.role === "alice" ? "bob" : "alice";
  if (!(await state.primitives.ed25519Verify(state.remote.signPublicKey, signedTranscript(peerRole, state.transcriptHash), auth.signature))) {
    throw new CryptoError("BAD_SIGNATURE", "the peer's transcript signature does not verify");
  }
}

/**
 * Checks the peer's auth message and returns the new session. Alice draws 32
 * random bytes for her first ratchet key; Bob draws none.
 */
export async function finishHandshake(
  state: AuthState,
  peerAuth: Uint8Array,
  opts: { now: number; random: RandomSource; config?: Partial<RatchetConfig> },
): Promise<Session> {
  if (state?.stage !== "auth") throw new TypeError("state must come from acceptHello");
  if (state.used) throw new TypeError("this auth state was already used");
  assertNow(opts?.now);
  assertRandom(opts.random);
  const config = checkConfig({ ...DEFAULT_CONFIG, ...opts.config });
  state.used = true;
  const okm = hkdfSha256(state.shared, new Uint8Array(32), concatBytes(utf8Encode(LABEL.root), state.transcriptHash), 64);
  const [rootKey, bobChainKey] = [okm.slice(0, 32), okm.slice(32, 64)];
  try {
    await checkAuth(state, peerAuth);
    return await initSession({ ...state, sessionId: state.transcriptHash, rootKey, bobChainKey, now: opts.now, config }, opts.random, state.primitives);
  } catch (error) {
    abandonHandshake(state);
    throw error;
  } finally {
    wipe(okm, rootKey, bobChainKey, state.shared);
    wipeDhKeyPair(state.ephemeral);
  }
}
