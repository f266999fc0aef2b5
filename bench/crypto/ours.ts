// The W Ratchet measured through its public API only.
import type { DeviceIdentity, PassphraseKdfParams, Primitives, Session } from "../../lib/crypto/index";
import type { CryptoApi } from "./load-ours";
import { meanMs, throughput, type Budget, type ImplReport } from "./measure";

// The platform's CSPRNG, in Node and in the page alike (this file also runs in Chromium: bench/crypto/chromium.ts).
const random = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

export interface OurReport {
  /** lib/crypto on tweetnacl (the fallback) and on native WebCrypto X25519/Ed25519 (Node's, as in the browser). */
  tweetnacl: ImplReport;
  native: ImplReport;
  /** One passphrase derivation, by KDF parameters (ms). */
  passphraseKdfMs: Record<string, number>;
}

/**
 * Both sides of a handshake in one process, each step as the two pages would
 * run it at the same time (Promise.all): with native primitives the two sides'
 * X25519 and Ed25519 calls overlap on WebCrypto's threads, as they do on two devices.
 */
async function handshake(C: CryptoApi, ids: DeviceIdentity[], now: number, primitives: Primitives): Promise<[Session, Session]> {
  const { acceptHello, createHello, finishHandshake } = C;
  const [a, b] = ids as [DeviceIdentity, DeviceIdentity];
  const [ha, hb] = await Promise.all([
    createHello({ identity: a, nickname: "ada", deviceId: "ada-1", random, primitives }),
    createHello({ identity: b, nickname: "bert", deviceId: "bert-1", random, primitives }),
  ]);
  const [xa, xb] = await Promise.all([
    acceptHello(ha.state, hb.hello, { expectedPeer: { signPublicKey: b.signPublicKey } }),
    acceptHello(hb.state, ha.hello, { expectedPeer: { signPublicKey: a.signPublicKey } }),
  ]);
  return Promise.all([finishHandshake(xa.state, xb.auth, { now, random }), finishHandshake(xb.state, xa.auth, { now, random })]);
}

async function kdfMs(C: CryptoApi, params: PassphraseKdfParams): Promise<number> {
  const start = performance.now();
  await C.createLogKeys("correct horse battery staple", random, params);
  return performance.now() - start;
}

/** The ratchet on one implementation of the primitives: handshake, one-way and ping-pong. */
export async function runOursOn(C: CryptoApi, budget: Budget, primitives: Primitives): Promise<ImplReport> {
  const ids = [C.generateIdentity(random), C.generateIdentity(random)];
  const now = 1_700_000_000_000;
  const handshakeMs = await meanMs(() => handshake(C, ids, now, primitives), budget);
  const sessions = await handshake(C, ids, now, primitives);
  const t = await throughput(async (from, bytes) => {
    const wire = C.ratchetEncrypt(sessions[from], bytes, now);
    const r = await C.ratchetDecrypt(sessions[1 - from] as Session, wire, now, random, primitives);
    if (!r.ok) throw new Error(`bench: decrypt failed (${r.code})`);
  }, budget);
  return { handshakeMs, oneWayMsgsPerSec: t.oneWay, pingPongMsgsPerSec: t.pingPong, dhStepMs: t.dhStepMs };
}

export async function runKdf(C: CryptoApi, quick: boolean): Promise<Record<string, number>> {
  const passphraseKdfMs: Record<string, number> = {};
  passphraseKdfMs["argon2id m=65536KiB t=3 p=1 (default)"] = await kdfMs(C, C.DEFAULT_PASSPHRASE_KDF);
  if (!quick) passphraseKdfMs["scrypt N=2^17 r=8 p=1"] = await kdfMs(C, { alg: "scrypt", N: 1 << 17, r: 8, p: 1 });
  return passphraseKdfMs;
}
