import { createLogKeys, openSealed, openSealedWithShared, seal, sealedEphemeralKey, type LogKeys } from "@/lib/crypto";
import { tweetnaclOpener, webCryptoOpener } from "@/lib/relay/record-opener";
import nacl from "tweetnacl";
import { seededRandom } from "../support/fake-link";

let keys: LogKeys;
const records = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`record ${i} ${"·".repeat(i * 3)}`));
let sealed: Uint8Array[];

beforeAll(async () => {
  ({ keys } = await createLogKeys("opener passphrase", seededRandom(3), { alg: "scrypt", N: 1024, r: 8, p: 1 }, { allowWeakParams: true }));
  const random = seededRandom(4);
  sealed = records.map((r) => seal(r, keys.logPublicKey, random));
});

describe("openSealedWithShared", () => {
  it("opens exactly what openSealed opens, given the X25519 output", () => {
    for (const [i, s] of sealed.entries()) {
      const shared = nacl.scalarMult(keys.logSecretKey, sealedEphemeralKey(s)!);
      expect(openSealedWithShared(s, shared, keys.logPublicKey)).toEqual({ ok: true, record: records[i] });
      expect(openSealed(s, keys.logSecretKey, keys.logPublicKey)).toEqual({ ok: true, record: records[i] });
    }
  });

  it("fails to open with a wrong shared secret or a flipped byte, and reports malformed input", () => {
    const s = sealed[0]!;
    expect(openSealedWithShared(s, new Uint8Array(32).fill(9), keys.logPublicKey)).toEqual({ ok: false, code: "OPEN_FAILED" });
    const flipped = s.slice();
    flipped[flipped.length - 1]! ^= 1;
    const shared = nacl.scalarMult(keys.logSecretKey, sealedEphemeralKey(flipped)!);
    expect(openSealedWithShared(flipped, shared, keys.logPublicKey)).toEqual({ ok: false, code: "OPEN_FAILED" });
    expect(sealedEphemeralKey(new Uint8Array(10))).toBeNull();
    expect(openSealedWithShared(new Uint8Array(10), shared, keys.logPublicKey)).toEqual({ ok: false, code: "MALFORMED" });
  });
});

describe("record openers", () => {
  it("WebCrypto's X25519 opens the same records as tweetnacl, and refuses the same garbage", async () => {
    const web = await webCryptoOpener(keys);
    expect(web).not.toBeNull();
    const tampered = sealed[1]!.slice();
    tampered[40]! ^= 0xff;
    const lowOrder = sealed[2]!.slice();
    lowOrder.fill(0, 2, 34); // the all-zero point: X25519 with it yields zero, which WebCrypto refuses
    const inputs = [...sealed, tampered, lowOrder, new Uint8Array(5)];
    const expected = [...records, null, null, null];
    expect(await web!(inputs)).toEqual(expected);
    expect(await tweetnaclOpener(keys)(inputs)).toEqual(expected);
  });

  it("falls back (null) where WebCrypto has no X25519", async () => {
    const noX25519 = { importKey: () => Promise.reject(new DOMException("Unrecognized name", "NotSupportedError")) } as unknown as SubtleCrypto;
    expect(await webCryptoOpener(keys, noX25519)).toBeNull();
  });
});
