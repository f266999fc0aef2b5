import {
  createLogChallenge,
  createLogKeys,
  CryptoError,
  openSealed,
  proveLogAccess,
  seal,
  unlockLogKeys,
  verifyLogAccess,
  type LogKeys,
  type LogPublicBundle,
  type PassphraseKdfParams,
} from "@/lib/crypto";
import { checkKdfParams, derivePassphraseKey } from "@/lib/crypto/passphrase";
import { fixedRandom, seededRandom } from "./support/random";

// Cheap parameters: the cost of the real ones is measured in the benchmark.
const CHEAP: PassphraseKdfParams = { alg: "argon2id", m: 64, t: 1, p: 1 };
const weak = { allowWeakParams: true };
const random = seededRandom("sealed-log");
const record = new TextEncoder().encode('{"from":"ada","text":"hello"}');

let keys: LogKeys;
let bundle: LogPublicBundle;
beforeAll(async () => {
  ({ keys, bundle } = await createLogKeys("correct horse battery staple", random, CHEAP, weak));
});

describe("sealed logs", () => {
  it("seal with the public key only and open with the passphrase-derived secret key", async () => {
    const sealed = seal(record, keys.logPublicKey, random);
    expect(sealed.length).toBe(record.length + 50);
    const again = await unlockLogKeys("correct horse battery staple", bundle, weak);
    expect(openSealed(sealed, again.logSecretKey)).toEqual({ ok: true, record });
  });

  it("use a fresh ephemeral key for every record", () => {
    const a = seal(record, keys.logPublicKey, random);
    const b = seal(record, keys.logPublicKey, random);
    expect(Buffer.from(a.subarray(2, 34)).equals(Buffer.from(b.subarray(2, 34)))).toBe(false);
  });

  it("fail to open with the keys of a wrong passphrase", async () => {
    const sealed = seal(record, keys.logPublicKey, random);
    await expect(unlockLogKeys("correct horse battery stapler", bundle, weak)).rejects.toMatchObject({ code: "OPEN_FAILED" });
    const salt = Buffer.from(bundle.salt, "base64");
    const { keys: wrong } = await createLogKeys("wrong", fixedRandom([new Uint8Array(salt)]), CHEAP, weak);
    expect(openSealed(sealed, wrong.logSecretKey)).toEqual({ ok: false, code: "OPEN_FAILED" });
  });

  it("refuse a sealed record with a flipped byte in its header, ephemeral key, tag or body", () => {
    const sealed = seal(record, keys.logPublicKey, random);
    for (let i = 0; i < sealed.length; i += i < 40 ? 7 : 3) {
      const bad = sealed.slice();
      bad[i] = (bad[i] as number) ^ 0x10;
      expect(openSealed(bad, keys.logSecretKey).ok).toBe(false);
    }
    expect(openSealed(sealed.subarray(0, 49), keys.logSecretKey)).toEqual({ ok: false, code: "MALFORMED" });
  });

  it("store salt, KDF parameters and public halves, never a secret", () => {
    expect(Object.keys(bundle).sort()).toEqual(["authorityPublicKey", "kdf", "logPublicKey", "salt", "v"]);
    expect(Buffer.from(bundle.salt, "base64").length).toBe(16);
    expect(bundle.kdf).toEqual(CHEAP);
  });

  it("refuse weak KDF parameters unless a test allows them", async () => {
    await expect(createLogKeys("pw", random, CHEAP)).rejects.toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "argon2id", m: 19456, t: 2, p: 1 })).not.toThrow();
    expect(() => checkKdfParams({ alg: "argon2id", m: 12288, t: 2, p: 1 })).toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 17, r: 8, p: 1 })).not.toThrow();
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 16, r: 8, p: 1 })).toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "scrypt", N: 1000, r: 8, p: 1 }, true)).toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "pbkdf2" } as never)).toThrow(RangeError);
  });

  it("derive the same key from the same passphrase in any Unicode normal form, with argon2id or scrypt", async () => {
    const salt = new Uint8Array(16).fill(3);
    const nfc = await derivePassphraseKey("caf\u00e9", salt, CHEAP, weak);
    expect(await derivePassphraseKey("cafe\u0301", salt, CHEAP, weak)).toEqual(nfc);
    const scrypt: PassphraseKdfParams = { alg: "scrypt", N: 16, r: 8, p: 1 };
    const viaScrypt = await derivePassphraseKey("café", salt, scrypt, weak);
    expect(viaScrypt).toHaveLength(32);
    expect(viaScrypt).not.toEqual(nfc);
    await expect(derivePassphraseKey("café", salt.subarray(0, 15), CHEAP, weak)).rejects.toThrow(RangeError);
  });
});

describe("log access proofs", () => {
  const ids = { requesterDeviceId: "ada-phone", homeDeviceId: "ada-home" };
  const issue = (now = 1000) => createLogChallenge({ ...ids, now, random }).challenge;

  it("verify a proof made with the passphrase-derived authority key", () => {
    const challenge = issue();
    const proof = proveLogAccess(challenge, keys.authoritySecretKey);
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, { now: 1500, ...ids })).toMatchObject({
      ok: true,
      challenge: { ...ids, issuedAt: 1000, expiresAt: 61_000 },
    });
  });

  it("refuse a proof for one challenge presented for another", () => {
    const proof = proveLogAccess(issue(), keys.authoritySecretKey);
    expect(verifyLogAccess(issue(), proof, keys.authorityPublicKey, { now: 1500 })).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("refuse a proof from a wrong passphrase", async () => {
    const { keys: wrong } = await createLogKeys("not it", random, CHEAP, weak);
    const challenge = issue();
    expect(verifyLogAccess(challenge, proveLogAccess(challenge, wrong.authoritySecretKey), keys.authorityPublicKey, { now: 1500 })).toEqual({
      ok: false,
      code: "PROOF_INVALID",
    });
  });

  it("refuse an expired challenge, a challenge for other devices and a flipped bit", () => {
    const challenge = issue();
    const proof = proveLogAccess(challenge, keys.authoritySecretKey);
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, { now: 61_000 })).toEqual({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, { now: 1500, requesterDeviceId: "eve" })).toEqual({ ok: false, code: "CHALLENGE_MISMATCH" });
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, { now: 1500, homeDeviceId: "other-home" })).toEqual({ ok: false, code: "CHALLENGE_MISMATCH" });
    const bad = proof.slice();
    bad[0] = (bad[0] as number) ^ 1;
    expect(verifyLogAccess(challenge, bad, keys.authorityPublicKey, { now: 1500 })).toEqual({ ok: false, code: "PROOF_INVALID" });
    const edited = challenge.slice();
    edited[10] = (edited[10] as number) ^ 1;
    expect(verifyLogAccess(edited, proof, keys.authorityPublicKey, { now: 1500 })).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("are domain-separated: a handshake-style signature over the same bytes does not verify", async () => {
    const nacl = (await import("tweetnacl")).default;
    const challenge = issue();
    const raw = nacl.sign.detached(challenge, keys.authoritySecretKey);
    expect(verifyLogAccess(challenge, raw, keys.authorityPublicKey, { now: 1500 })).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("refuse to sign something that is not a challenge", () => {
    expect(() => proveLogAccess(new Uint8Array(60), keys.authoritySecretKey)).toThrow(CryptoError);
  });
});
