// The RFC vectors on both implementations of lib/crypto's Primitives
// (tweetnacl, and Node's native WebCrypto over the same interface the pages
// use), and the edge cases where two X25519/Ed25519 implementations are
// known to differ: low-order points, and malleated or non-canonical
// signatures. Both paths must give the same answer to every one.
import nacl from "tweetnacl";
import { isLowOrderPoint } from "@/lib/crypto/dh";
import { fromHex, toHex } from "@/lib/crypto/bytes";
import { passesKnownAnswers, selectPrimitives, tweetnaclPrimitives, webCryptoPrimitives, type Primitives } from "@/lib/crypto";
import x25519 from "./rfc7748-x25519.json";
import ed25519 from "./rfc8032-ed25519.json";

const PATHS: [string, Primitives][] = [
  ["tweetnacl", tweetnaclPrimitives],
  ["native WebCrypto", webCryptoPrimitives(globalThis.crypto.subtle)],
];

// The points of small order on Curve25519 (0, 1, the two points of order 8)
// and the encodings equal to one of them mod p (p − 1 is of order 2; p and
// p + 1 are 0 and 1 again), then each of those with the top bit set, which
// RFC 7748 §5 says to ignore.
const CANONICAL_LOW_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];
const withTopBit = (u: string) => u.slice(0, 62) + ((parseInt(u.slice(62), 16) | 0x80).toString(16));
const LOW_ORDER = [...CANONICAL_LOW_ORDER, ...CANONICAL_LOW_ORDER.map(withTopBit)];

// L, the order of the base point (RFC 8032 §5.1), little-endian.
const L = fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

/** S + L: the same point equation, a different (non-canonical) signature. */
function malleate(signature: Uint8Array): Uint8Array {
  const out = signature.slice();
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = (out[32 + i] as number) + (L[i] as number) + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

const tweetnaclSecret = (seedHex: string) => nacl.sign.keyPair.fromSeed(fromHex(seedHex)).secretKey;

describe.each(PATHS)("Primitives on %s", (_name, p) => {
  it("passes the known answers the page checks before choosing it", async () => {
    expect(await passesKnownAnswers(p)).toBe(true);
  });

  it.each(x25519.single)("computes RFC 7748 $section", async (t) => {
    const pair = await p.x25519KeyPair(fromHex(t.scalar));
    expect(toHex((await p.x25519(pair, fromHex(t.u))) as Uint8Array)).toBe(t.output);
  });

  it("derives RFC 7748 §6.1's public keys and shared secret", async () => {
    const v = x25519.diffieHellman;
    const alice = await p.x25519KeyPair(fromHex(v.alicePrivate));
    const bob = await p.x25519KeyPair(fromHex(v.bobPrivate));
    expect([toHex(alice.publicKey), toHex(bob.publicKey)]).toEqual([v.alicePublic, v.bobPublic]);
    expect(toHex((await p.x25519(alice, bob.publicKey)) as Uint8Array)).toBe(v.shared);
    expect(toHex((await p.x25519(bob, alice.publicKey)) as Uint8Array)).toBe(v.shared);
  });

  it.each(LOW_ORDER)("refuses the low-order point %s (null, never an all-zero secret)", async (u) => {
    expect(isLowOrderPoint(fromHex(u))).toBe(true);
    const pair = await p.x25519KeyPair(fromHex(x25519.diffieHellman.alicePrivate));
    expect(await p.x25519(pair, fromHex(u))).toBeNull();
  });

  it.each(ed25519.tests)("signs and verifies RFC 8032 $name", async (t) => {
    const signature = await p.ed25519Sign(tweetnaclSecret(t.secretKey), fromHex(t.message));
    expect(toHex(signature)).toBe(t.signature);
    expect(await p.ed25519Verify(fromHex(t.publicKey), fromHex(t.message), signature)).toBe(true);
    const flipped = signature.slice();
    flipped[7] = (flipped[7] as number) ^ 1;
    expect(await p.ed25519Verify(fromHex(t.publicKey), fromHex(t.message), flipped)).toBe(false);
  });

  it("refuses a malleated signature (S + L), which tweetnacl's own verify accepts", async () => {
    const t = ed25519.tests[0]!;
    const forged = malleate(fromHex(t.signature));
    // The attack, reproduced on the raw library: the equation still holds.
    expect(nacl.sign.detached.verify(fromHex(t.message), forged, fromHex(t.publicKey))).toBe(true);
    expect(await p.ed25519Verify(fromHex(t.publicKey), fromHex(t.message), forged)).toBe(false);
  });

  it("refuses a signature whose R, or a public key, is not canonically encoded (y ≥ p)", async () => {
    const t = ed25519.tests[0]!;
    const badR = fromHex(t.signature);
    badR.set(fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), 0);
    expect(await p.ed25519Verify(fromHex(t.publicKey), fromHex(t.message), badR)).toBe(false);
    const badKey = fromHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    expect(await p.ed25519Verify(badKey, fromHex(t.message), fromHex(t.signature))).toBe(false);
  });

  it("keeps the same signing key after the secret array is wiped and refilled", async () => {
    const a = tweetnaclSecret(ed25519.tests[0]!.secretKey);
    const first = await p.ed25519Sign(a, new Uint8Array(3));
    a.set(tweetnaclSecret(ed25519.tests[1]!.secretKey));
    const second = await p.ed25519Sign(a, new Uint8Array(3));
    expect(toHex(second)).toBe(toHex(nacl.sign.detached(new Uint8Array(3), a)));
    expect(toHex(second)).not.toBe(toHex(first));
  });

  it("throws TypeError/RangeError for misuse", async () => {
    await expect(p.x25519KeyPair(new Uint8Array(31))).rejects.toThrow(RangeError);
    await expect(p.x25519KeyPair("k" as unknown as Uint8Array)).rejects.toThrow(TypeError);
    const pair = await p.x25519KeyPair(new Uint8Array(32).fill(1));
    await expect(p.x25519(pair, new Uint8Array(33))).rejects.toThrow(RangeError);
    await expect(p.ed25519Sign(new Uint8Array(32), new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(p.ed25519Verify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(63))).rejects.toThrow(RangeError);
  });
});

describe("selectPrimitives", () => {
  it("chooses native WebCrypto where it passes the known answers", async () => {
    expect((await selectPrimitives(globalThis.crypto.subtle)).name).toBe("webcrypto");
  });

  it("falls back to tweetnacl without WebCrypto, or when it lacks the algorithms", async () => {
    expect(await selectPrimitives(undefined)).toBe(tweetnaclPrimitives);
    const noCurves = {
      importKey: async () => {
        throw new DOMException("Algorithm: Unrecognized name", "NotSupportedError");
      },
    } as unknown as SubtleCrypto;
    expect(await selectPrimitives(noCurves)).toBe(tweetnaclPrimitives);
  });

  it("falls back to tweetnacl when WebCrypto gives a wrong answer", async () => {
    const real = globalThis.crypto.subtle;
    const wrong = new Proxy(real, {
      get(target, prop) {
        if (prop === "deriveBits") return async () => new Uint8Array(32).fill(7).buffer;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    expect(await selectPrimitives(wrong)).toBe(tweetnaclPrimitives);
  });
});
