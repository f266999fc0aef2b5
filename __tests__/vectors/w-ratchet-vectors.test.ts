// The project's own known-answer vectors: from the fixed random draws in
// w-ratchet-v1.json, rebuild the handshake and the first messages of a
// session and compare every byte. The committed file is the truth; run with
// UPDATE_VECTORS=1 to rewrite its "expected" part after a deliberate change.
// The same draws run on both implementations of the primitives (tweetnacl
// and Node's native WebCrypto), which must agree to the byte.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  acceptHello,
  createHello,
  createRekey,
  finishHandshake,
  generateIdentity,
  ratchetDecrypt,
  ratchetEncrypt,
  rekeyDue,
  tweetnaclPrimitives,
  webCryptoPrimitives,
  type Primitives,
  type Session,
} from "@/lib/crypto";
import { concatBytes, fromHex, toHex, utf8Encode } from "@/lib/crypto/bytes";
import { hkdfSha256 } from "@/lib/crypto/kdf";
import { fixedRandom, type FixedRandom } from "../unit/crypto/support/random";
import vectors from "./w-ratchet-v1.json";

type Step = (typeof vectors.inputs.script)[number];

async function build(inputs: typeof vectors.inputs, primitives: Primitives) {
  const rng = inputs.parties.map((p) => fixedRandom(p.draws.map(fromHex))) as [FixedRandom, FixedRandom];
  const ids = [generateIdentity(rng[0]), generateIdentity(rng[1])];
  const hellos: Awaited<ReturnType<typeof createHello>>[] = [];
  for (const [i, p] of inputs.parties.entries()) hellos.push(await createHello({ identity: ids[i]!, nickname: p.nickname, deviceId: p.deviceId, random: rng[i]!, primitives }));
  const binding = fromHex(inputs.channelBinding);
  const accepted = await Promise.all(
    [0, 1].map((i) => acceptHello(hellos[i]!.state, hellos[1 - i]!.hello, { expectedPeer: { signPublicKey: ids[1 - i]!.signPublicKey }, channelBinding: binding })),
  );
  const shared = accepted[0]!.state.shared.slice();
  const th = accepted[0]!.state.transcriptHash;
  const okm = hkdfSha256(shared, new Uint8Array(32), concatBytes(utf8Encode("CommunisP/W1/root"), th), 64);
  const sessions: Session[] = [];
  for (const i of [0, 1]) sessions.push(await finishHandshake(accepted[i]!.state, accepted[1 - i]!.auth, { now: inputs.handshakeAt, random: rng[i]! }));
  const messages = [];
  for (const step of inputs.script as Step[]) {
    const from = sessions[step.from]!;
    const to = sessions[1 - step.from]!;
    let wire: Uint8Array;
    if (step.kind === "rekey") {
      if (!rekeyDue(from, step.at)) throw new Error(`rekey not due at ${step.at}`);
      wire = createRekey(from, step.at);
    } else {
      wire = ratchetEncrypt(from, utf8Encode(step.plaintext), step.at);
    }
    const r = await ratchetDecrypt(to, wire, step.at, rng[1 - step.from]!, primitives);
    if (!r.ok) throw new Error(`vector message refused: ${r.code}`);
    messages.push({ from: step.from, at: step.at, kind: r.kind, wire: toHex(wire) });
  }
  rng[0].assertExhausted();
  rng[1].assertExhausted();
  return {
    identities: ids.map((id) => ({ signPublicKey: toHex(id.signPublicKey), dhPublicKey: toHex(id.dhPublicKey) })),
    hellos: hellos.map((h) => toHex(h.hello)),
    roles: sessions.map((s) => s.role),
    transcriptHash: toHex(th),
    ephemeralShared: toHex(shared),
    initialRootKey: toHex(okm.slice(0, 32)),
    bobInitialChainKey: toHex(okm.slice(32, 64)),
    auths: accepted.map((a) => toHex(a.auth)),
    associatedData: toHex(sessions[0]!.ad),
    messages,
  };
}

const PATHS: [string, Primitives][] = [
  ["tweetnacl", tweetnaclPrimitives],
  ["native WebCrypto", webCryptoPrimitives(globalThis.crypto.subtle)],
];

describe.each(PATHS)("W Ratchet v1 vectors (__tests__/vectors/w-ratchet-v1.json) on %s", (path, primitives) => {
  let rebuilt: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    rebuilt = await build(vectors.inputs, primitives);
    if (process.env.UPDATE_VECTORS === "1" && path === "tweetnacl") {
      writeFileSync(join(__dirname, "w-ratchet-v1.json"), JSON.stringify({ ...vectors, expected: rebuilt }, null, 2) + "\n");
    }
  });

  it("uses every listed random draw, no more and no fewer", () => {
    expect(rebuilt.messages).toHaveLength(vectors.inputs.script.length);
  });

  it("reproduces the hellos, transcript hash, root key and auth messages byte for byte", () => {
    const { messages: _m, ...handshake } = rebuilt;
    const { messages: _e, ...expected } = vectors.expected;
    expect(handshake).toEqual(expected);
  });

  it("reproduces every message of the session byte for byte, rekey frames included", () => {
    expect(rebuilt.messages).toEqual(vectors.expected.messages);
    expect(rebuilt.messages.map((m) => m.kind)).toContain("rekey-request");
    expect(rebuilt.messages.map((m) => m.kind)).toContain("rekey-answer");
  });
});
