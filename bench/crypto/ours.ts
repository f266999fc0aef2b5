// The W Ratchet measured through its public API only.
import { randomBytes } from "node:crypto";
import type { DeviceIdentity, PassphraseKdfParams, Session } from "../../lib/crypto/index";
import type { CryptoApi } from "./load-ours";
import { meanMs, throughput, type Budget, type ImplReport } from "./measure";

const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export interface OurReport extends ImplReport {
  /** One passphrase derivation, by KDF parameters (ms). */
  passphraseKdfMs: Record<string, number>;
}

function handshake(C: CryptoApi, ids: DeviceIdentity[], now: number): [Session, Session] {
  const { acceptHello, createHello, finishHandshake } = C;
  const [a, b] = ids as [DeviceIdentity, DeviceIdentity];
  const ha = createHello({ identity: a, nickname: "ada", deviceId: "ada-1", random });
  const hb = createHello({ identity: b, nickname: "bert", deviceId: "bert-1", random });
  const xa = acceptHello(ha.state, hb.hello, { expectedPeer: { signPublicKey: b.signPublicKey } });
  const xb = acceptHello(hb.state, ha.hello, { expectedPeer: { signPublicKey: a.signPublicKey } });
  return [finishHandshake(xa.state, xb.auth, { now, random }), finishHandshake(xb.state, xa.auth, { now, random })];
}

async function kdfMs(C: CryptoApi, params: PassphraseKdfParams): Promise<number> {
  const start = performance.now();
  await C.createLogKeys("correct horse battery staple", random, params);
  return performance.now() - start;
}

export async function runOurs(C: CryptoApi, budget: Budget, quick: boolean): Promise<OurReport> {
  const ids = [C.generateIdentity(random), C.generateIdentity(random)];
  const now = 1_700_000_000_000;
  const handshakeMs = await meanMs(() => handshake(C, ids, now), budget);
  const sessions = handshake(C, ids, now);
  const t = await throughput((from, bytes) => {
    const wire = C.ratchetEncrypt(sessions[from], bytes, now);
    const r = C.ratchetDecrypt(sessions[1 - from] as Session, wire, now, random);
    if (!r.ok) throw new Error(`bench: decrypt failed (${r.code})`);
  }, budget);
  const passphraseKdfMs: Record<string, number> = {};
  passphraseKdfMs["argon2id m=65536KiB t=3 p=1 (default)"] = await kdfMs(C, C.DEFAULT_PASSPHRASE_KDF);
  if (!quick) passphraseKdfMs["scrypt N=2^17 r=8 p=1"] = await kdfMs(C, { alg: "scrypt", N: 1 << 17, r: 8, p: 1 });
  return { handshakeMs, oneWayMsgsPerSec: t.oneWay, pingPongMsgsPerSec: t.pingPong, dhStepMs: t.dhStepMs, passphraseKdfMs };
}
