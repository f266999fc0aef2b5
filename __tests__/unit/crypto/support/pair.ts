// Two devices that completed a handshake, for ratchet tests.
import {
  acceptHello,
  createHello,
  finishHandshake,
  generateIdentity,
  type DeviceIdentity,
  type Primitives,
  type RandomSource,
  type RatchetConfig,
  type Session,
} from "@/lib/crypto";
import { seededRandom } from "./random";

export interface Pair {
  alice: Session;
  bob: Session;
  aliceId: DeviceIdentity;
  bobId: DeviceIdentity;
  random: RandomSource;
}

export async function handshakeFrom(
  ids: [DeviceIdentity, DeviceIdentity],
  random: RandomSource,
  now = 0,
  config?: Partial<RatchetConfig>,
  primitives?: Primitives,
): Promise<[Session, Session]> {
  const h1 = await createHello({ identity: ids[0], nickname: "ada", deviceId: "ada-laptop", random, primitives });
  const h2 = await createHello({ identity: ids[1], nickname: "bert", deviceId: "bert-phone", random, primitives });
  const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: ids[1].signPublicKey } });
  const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ids[0].signPublicKey } });
  return [await finishHandshake(a1.state, a2.auth, { now, random, config }), await finishHandshake(a2.state, a1.auth, { now, random, config })];
}

export async function makePair(seed = "pair", now = 0, config?: Partial<RatchetConfig>, primitives?: Primitives): Promise<Pair> {
  const random = seededRandom(seed);
  const ids: [DeviceIdentity, DeviceIdentity] = [generateIdentity(random), generateIdentity(random)];
  const [s1, s2] = await handshakeFrom(ids, random, now, config, primitives);
  const [alice, bob] = s1.role === "alice" ? [s1, s2] : [s2, s1];
  const [aliceId, bobId] = s1.role === "alice" ? ids : [ids[1], ids[0]];
  return { alice, bob, aliceId, bobId, random };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const untext = (b: Uint8Array): string => new TextDecoder().decode(b);
