// Known-answer tests for the primitives the W Ratchet composes, from the RFCs
// named in each data file. A failure here means a primitive (or a copy of a
// vector) is wrong, not our protocol.
import { extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { hkdfSha256 } from "@/lib/crypto/kdf";
import { dh, dhKeyPairFromSecret } from "@/lib/crypto/dh";
import { fromHex, toHex } from "@/lib/crypto/bytes";
import x25519 from "./rfc7748-x25519.json";
import ed25519 from "./rfc8032-ed25519.json";
import hkdf from "./rfc5869-hkdf.json";

describe("RFC 7748 X25519", () => {
  it("names its source", () => {
    expect(x25519.source).toMatch(/RFC 7748.*5\.2.*6\.1/);
  });

  it.each(x25519.single)("computes $section", (t) => {
    expect(toHex(nacl.scalarMult(fromHex(t.scalar), fromHex(t.u)))).toBe(t.output);
  });

  it("matches the iterated results that are marked as run (1 and 1,000 iterations)", () => {
    const wanted = x25519.iterated.after.filter((a) => a.run);
    expect(wanted.map((a) => a.iterations)).toEqual([1, 1000]);
    let k = fromHex(x25519.iterated.start);
    let u = fromHex(x25519.iterated.start);
    const last = Math.max(...wanted.map((a) => a.iterations));
    for (let i = 1; i <= last; i++) {
      const r = nacl.scalarMult(k, u);
      u = k;
      k = r;
      const check = wanted.find((a) => a.iterations === i);
      if (check) expect(toHex(k)).toBe(check.k);
    }
  });

  it("derives both public keys and the shared secret of section 6.1 through lib/crypto", () => {
    const v = x25519.diffieHellman;
    const alice = dhKeyPairFromSecret(fromHex(v.alicePrivate));
    const bob = dhKeyPairFromSecret(fromHex(v.bobPrivate));
    expect(toHex(alice.publicKey)).toBe(v.alicePublic);
    expect(toHex(bob.publicKey)).toBe(v.bobPublic);
    expect(toHex(dh(alice.secretKey, bob.publicKey) as Uint8Array)).toBe(v.shared);
    expect(toHex(dh(bob.secretKey, alice.publicKey) as Uint8Array)).toBe(v.shared);
  });

  it("refuses a low-order point (all-zero shared secret)", () => {
    const zero = new Uint8Array(32);
    expect(dh(fromHex(x25519.diffieHellman.alicePrivate), zero)).toBeNull();
  });
});

describe("RFC 8032 Ed25519", () => {
  it("names its source", () => {
    expect(ed25519.source).toMatch(/RFC 8032.*7\.1/);
    expect(ed25519.tests.map((t) => t.name)).toEqual(["TEST 1", "TEST 2", "TEST 3"]);
  });

  it.each(ed25519.tests)("derives the key and signature of $name", (t) => {
    const kp = nacl.sign.keyPair.fromSeed(fromHex(t.secretKey));
    expect(toHex(kp.publicKey)).toBe(t.publicKey);
    expect(toHex(nacl.sign.detached(fromHex(t.message), kp.secretKey))).toBe(t.signature);
    expect(nacl.sign.detached.verify(fromHex(t.message), fromHex(t.signature), kp.publicKey)).toBe(true);
  });

  it.each(ed25519.tests)("rejects $name's signature with one bit flipped", (t) => {
    const sig = fromHex(t.signature);
    sig[7] = (sig[7] as number) ^ 1;
    expect(nacl.sign.detached.verify(fromHex(t.message), sig, fromHex(t.publicKey))).toBe(false);
  });
});

describe("RFC 5869 HKDF-SHA256", () => {
  it("names its source", () => {
    expect(hkdf.source).toMatch(/RFC 5869.*A\.1-A\.3/);
  });

  it.each(hkdf.tests)("matches PRK and OKM of $name", (t) => {
    expect(toHex(extract(sha256, fromHex(t.ikm), fromHex(t.salt)))).toBe(t.prk);
    const salt = t.salt === "" ? undefined : fromHex(t.salt);
    expect(toHex(hkdfSha256(fromHex(t.ikm), salt, fromHex(t.info), t.length))).toBe(t.okm);
  });
});
