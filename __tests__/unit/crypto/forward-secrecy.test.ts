// Forward secrecy, shown the hard way: an attacker takes a party's whole
// current state (every key in its JSON) and tries, with its own code, every
// way the protocol could lead from those keys to a message key: each secret as
// a message key, as a chain key stepped forward, as a root key combined with
// every ratchet public key seen on the wire and every stolen DH secret. None
// of it may open a message sent before the theft. The same attacker, given a
// state stolen earlier, does open later messages: it is capable, and what
// stops it is the ratchet.
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { createRekey, ratchetDecrypt, ratchetEncrypt, sessionToJSON, type RandomSource, type Session, type SessionJSON } from "@/lib/crypto";
import { makePair, text } from "./support/pair";

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const CHAIN_STEPS = 40;

interface Recorded {
  label: string;
  wire: Uint8Array;
}

/** Every 32-byte secret the stolen state holds. */
function secretsOf(json: SessionJSON): Uint8Array[] {
  return [json.rk, json.cks, json.ckr, json.dhs.secretKey, ...json.skipped.map((k) => k.mk)].filter((x): x is string => x !== null).map(b64);
}

/** Message keys the attacker can reach from the stolen secrets and everything public. */
function reachableMessageKeys(json: SessionJSON, wires: Uint8Array[]): Uint8Array[] {
  const kdfCk = (ck: Uint8Array) => ({ ck: hmac(sha256, ck, Uint8Array.of(2)), mk: hmac(sha256, ck, Uint8Array.of(1)) });
  const chain = (ck: Uint8Array) => {
    const mks: Uint8Array[] = [];
    for (let i = 0; i < CHAIN_STEPS; i++) {
      const step = kdfCk(ck);
      mks.push(step.mk);
      ck = step.ck;
    }
    return mks;
  };
  const secrets = secretsOf(json);
  const dhSecrets = [b64(json.dhs.secretKey)];
  const publics = [...new Set(wires.map((w) => Buffer.from(w.subarray(3, 35)).toString("hex")))].map((h) => new Uint8Array(Buffer.from(h, "hex")));
  const mks: Uint8Array[] = [];
  for (const s of secrets) {
    mks.push(s, ...chain(s));
    // As a root key: KDF_RK with every DH the attacker can compute.
    for (const sk of dhSecrets) {
      for (const pk of publics) {
        const out = hkdf(sha256, nacl.scalarMult(sk, pk), s, ascii("CommunisP/W1/kdf-rk"), 64);
        mks.push(...chain(out.slice(32, 64)), ...chain(out.slice(0, 32)));
      }
    }
  }
  return mks;
}

/** Tries a message key on a wire message, with the attacker's own reading of the format. */
function opens(mk: Uint8Array, ad: Uint8Array, wire: Uint8Array): boolean {
  const keys = hkdf(sha256, mk, new Uint8Array(32), ascii("CommunisP/W1/message-keys"), 88);
  const header = wire.subarray(0, 51);
  const ciphertext = wire.subarray(51, wire.length - 32);
  const mac = hmac(sha256, keys.subarray(32, 64), cat(ad, header, ciphertext));
  return Buffer.from(mac).equals(Buffer.from(wire.subarray(wire.length - 32))) && nacl.secretbox.open(ciphertext, keys.subarray(64, 88), keys.subarray(0, 32)) !== null;
}

function attackerReads(stolen: SessionJSON, wires: Recorded[]): string[] {
  const mks = reachableMessageKeys(stolen, wires.map((r) => r.wire));
  const ad = b64(stolen.ad);
  return wires.filter((r) => mks.some((mk) => opens(mk, ad, r.wire))).map((r) => r.label);
}

describe("forward secrecy against a stolen current state", () => {
  let alice: Session, bob: Session, random: RandomSource;
  const sent: Recorded[] = [];
  const steal: Record<string, { alice: SessionJSON; bob: SessionJSON; upTo: number }> = {};
  let now = 0;
  const say = async (from: Session, to: Session, label: string, body: string) => {
    now += 1000;
    const wire = ratchetEncrypt(from, text(body), now);
    sent.push({ label, wire });
    const r = await ratchetDecrypt(to, wire, now, random);
    if (!r.ok) throw new Error(`${label}: ${r.code}`);
  };
  const snapshot = (name: string) => (steal[name] = { alice: sessionToJSON(alice), bob: sessionToJSON(bob), upTo: sent.length });

  beforeAll(async () => {
    ({ alice, bob, random } = await makePair("forward-secrecy"));
    await say(alice, bob, "a1", "alice, first chain");
    await say(alice, bob, "a2", "alice again, same chain");
    snapshot("early");
    await say(bob, alice, "b1", "bob answers on a new key");
    await say(alice, bob, "a3", "alice on a new key");
    // A rotation with nobody speaking: request and answer.
    now += 60_000;
    for (const [from, to, label] of [[alice, bob, "alice's rekey request"], [bob, alice, "bob's rekey answer"]] as const) {
      const wire = createRekey(from, now);
      sent.push({ label, wire });
      if (!(await ratchetDecrypt(to, wire, now, random)).ok) throw new Error("rekey refused");
    }
    await say(bob, alice, "b2", "bob after the rotation");
    await say(alice, bob, "a4", "alice after the rotation");
    snapshot("now");
  });

  it("cannot open any message sent before the theft, with either party's whole state", async () => {
    const { alice: a, bob: b, upTo } = steal.now!;
    const earlier = sent.slice(0, upTo);
    expect(earlier.length).toBeGreaterThanOrEqual(8);
    expect(attackerReads(a, earlier)).toEqual([]);
    expect(attackerReads(b, earlier)).toEqual([]);
  });

  it("the same attacker is not toothless: a state stolen early opens what was sent on the chains it held", async () => {
    const { bob: b, upTo } = steal.early!;
    const later = sent.slice(upTo);
    // Bob's early state holds his next sending chain and his ratchet secret: his
    // first reply, and alice's chain made against that secret, are exposed...
    expect(attackerReads(b, later)).toEqual(["b1", "a3", "alice's rekey request"]);
    // ...until the rotation: bob's answer carries a key made after the theft, and from then on nothing opens.
  });
});
