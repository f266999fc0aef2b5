// The project's own known-answer vectors: from the fixed random draws in
// w-ratchet-v1.json, rebuild the handshake and the first messages of a
// session and compare every byte. The committed file is the truth; run with
// UPDATE_VECTORS=1 to rewrite its "expected" part after a deliberate change.
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
  type Session,
} from "@/lib/crypto";
import { concatBytes, fromHex, toHex, utf8Encode } from "@/lib/crypto/bytes";
import { hkdfSha256 } from "@/lib/crypto/kdf";
import { fixedRandom, type FixedRandom } from "../unit/crypto/support/random";
import vectors from "./w-ratchet-v1.json";

type Step = (typeof vectors.inputs.script)[number];

function build(inputs: typeof vectors.inputs) {
  const rng = inputs.parties.map((p) => fixedRandom(p.draws.map(fromHex))) as [FixedRandom, FixedRandom];
  const ids = [generateIdentity(rng[0]), generateIdentity(rng[1])];
  const hellos = inputs.parties.map((p, i) => createHello({ identity: ids[i]!, nickname: p.nickname, deviceId: p.deviceId, random: rng[i]! }));
  const binding = fromHex(inputs.channelBinding);
  const accepted = [0, 1].map((i) =>
    acceptHello(hellos[i]!.state, hellos[1 - i]!.hello, { expectedPeer: { signPublicKey: ids[1 - i]!.signPublicKey }, channelBinding: binding }),
  );
  const shared = accepted[0]!.state.shared.slice();
  const th = accepted[0]!.state.transcriptHash;
  const okm = hkdfSha256(shared, new Uint8Array(32), concatBytes(utf8Encode("CommunisP/W1/root"), th), 64);
  const sessions: Session[] = [0, 1].map((i) => finishHandshake(accepted[i]!.state, accepted[1 - i]!.auth, { now: inputs.handshakeAt, random: rng[i]! }));
  const messages = inputs.script.map((step: Step) => {
    const from = sessions[step.from]!;
    const to = sessions[1 - step.from]!;
    let wire: Uint8Array;
    if (step.kind === "rekey") {
      if (!rekeyDue(from, step.at)) throw new Error(`rekey not due at ${step.at}`);
      wire = createRekey(from, step.at);
    } else {
      wire = ratchetEncrypt(from, utf8Encode(step.plaintext), step.at);
    }
    const r = ratchetDecrypt(to, wire, step.at, rng[1 - step.from]!);
    if (!r.ok) throw new Error(`vector message refused: ${r.code}`);
    return { from: step.from, at: step.at, kind: r.kind, wire: toHex(wire) };
  });
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

describe("W Ratchet v1 vectors (__tests__/vectors/w-ratchet-v1.json)", () => {
  const rebuilt = build(vectors.inputs);

  if (process.env.UPDATE_VECTORS === "1") {
    writeFileSync(join(__dirname, "w-ratchet-v1.json"), JSON.stringify({ ...vectors, expected: rebuilt }, null, 2) + "\n");
  }

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
