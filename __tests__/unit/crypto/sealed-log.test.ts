import {
  DEFAULT_PASSPHRASE_KDF,
  parseLogBundle,
  createLogChallenge,
  createLogKeys,
  openSealed,
  proveLogAccess,
  seal,
  unlockLogKeys,
  verifyLogAccess,
  type LogKeys,
  type LogPublicBundle,
  type PassphraseKdfParams,
} from "@/lib/crypto";
import { checkLogChallenge, LOG_CLOCK_SKEW_MS, MAX_CHALLENGE_TTL_MS, type ChallengeExpectation } from "@/lib/crypto/log-challenge";
import { checkKdfParams, derivePassphraseKey, passphraseProblem } from "@/lib/crypto/passphrase";
import { openSealedWithShared } from "@/lib/crypto";
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
    const { keys: wrong } = await createLogKeys("a wrong passphrase", fixedRandom([new Uint8Array(salt)]), CHEAP, weak);
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
    await expect(createLogKeys("a passphrase of some length", random, CHEAP)).rejects.toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "argon2id", m: 19456, t: 2, p: 1 })).not.toThrow(); // the earlier default: old logs stay readable
    expect(() => checkKdfParams({ alg: "argon2id", m: 12288, t: 2, p: 1 })).toThrow(/below the floor/);
    expect(() => checkKdfParams({ alg: "argon2id", m: 7167, t: 5, p: 1 })).toThrow(/below the floor/);
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 17, r: 8, p: 1 })).not.toThrow();
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 16, r: 8, p: 1 })).toThrow(/below the floor/);
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 17, r: 7, p: 1 })).toThrow(/below the floor/);
    expect(() => checkKdfParams({ alg: "scrypt", N: 1000, r: 8, p: 1 }, true)).toThrow(RangeError);
    expect(() => checkKdfParams({ alg: "pbkdf2" } as never)).toThrow(RangeError);
  });

  it("refuse KDF parameters above the ceiling, even in tests: no bundle can exhaust a phone", () => {
    expect(() => checkKdfParams(DEFAULT_PASSPHRASE_KDF)).not.toThrow();
    expect(DEFAULT_PASSPHRASE_KDF).toEqual({ alg: "argon2id", m: 65536, t: 3, p: 1 });
    expect(() => checkKdfParams({ alg: "argon2id", m: 262144, t: 3, p: 1 })).not.toThrow();
    for (const tooMuch of [
      { alg: "argon2id", m: 262145, t: 1, p: 1 }, // 256 MiB + 1 KiB
      { alg: "argon2id", m: 65536, t: 9, p: 1 },
      { alg: "argon2id", m: 262144, t: 4, p: 1 }, // m·t over four times the default's
      { alg: "argon2id", m: 65536, t: 3, p: 5 },
      { alg: "scrypt", N: 1 << 20, r: 8, p: 1 }, // 1 GiB, accepted before
      { alg: "scrypt", N: 1 << 19, r: 8, p: 1 }, // 512 MiB
      { alg: "scrypt", N: 1 << 18, r: 8, p: 3 }, // 256 MiB but three times the work
      { alg: "scrypt", N: 1 << 17, r: 33, p: 1 },
    ] as const) {
      expect(() => checkKdfParams(tooMuch as PassphraseKdfParams, true)).toThrow(RangeError);
    }
    expect(() => checkKdfParams({ alg: "scrypt", N: 1 << 18, r: 8, p: 2 })).not.toThrow();
  });

  it("refuse a bundle whose parameters are above the ceiling before deriving anything", async () => {
    const huge = { ...bundle, kdf: { alg: "scrypt", N: 1 << 20, r: 8, p: 1 } } as LogPublicBundle;
    await expect(unlockLogKeys("correct horse battery staple", huge)).rejects.toThrow(/256 MiB/);
  });

  it("enforce the passphrase rules where the key is derived, not only in the form", async () => {
    const salt = new Uint8Array(16).fill(1);
    expect(passphraseProblem("eleven char")).toMatch(/at least 12 characters/);
    expect(passphraseProblem("twelve chars")).toBeNull();
    // Code points, after NFKC: twelve composed characters are enough, eleven are not.
    expect(passphraseProblem("\u00e9".repeat(12))).toBeNull();
    expect(passphraseProblem("e\u0301".repeat(11))).toMatch(/at least 12/);
    expect(passphraseProblem("x".repeat(1025))).toMatch(/at most 1024 bytes/);
    await expect(derivePassphraseKey("eleven char", salt, CHEAP, weak)).rejects.toMatchObject({ code: "PASSPHRASE_INVALID" });
    await expect(createLogKeys("short", random, CHEAP, weak)).rejects.toMatchObject({ code: "PASSPHRASE_INVALID" });
    await expect(unlockLogKeys("short", bundle, weak)).rejects.toMatchObject({ code: "PASSPHRASE_INVALID" });
  });

  it("refuse low-order keys: no record sealed to one, none opened from one", () => {
    // RFC 7748 §6.1's examples of points of small order: 0 and 1.
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    for (const point of [zero, one]) {
      expect(() => seal(record, point, random)).toThrow(/low-order/);
      const forged = seal(record, keys.logPublicKey, random);
      forged.set(point, 2); // the record's ephemeral key replaced by a low-order point
      expect(openSealed(forged, keys.logSecretKey)).toEqual({ ok: false, code: "OPEN_FAILED" });
    }
    expect(openSealedWithShared(seal(record, keys.logPublicKey, random), zero, keys.logPublicKey)).toEqual({ ok: false, code: "OPEN_FAILED" });
    expect(() => parseLogBundle({ ...bundle, logPublicKey: Buffer.from(one).toString("base64") })).toThrow(/low-order/);
  });

  it("derive the same key from the same passphrase in any Unicode normal form, with argon2id or scrypt", async () => {
    const salt = new Uint8Array(16).fill(3);
    const nfc = await derivePassphraseKey("caf\u00e9 au lait, s'il vous pla\u00eet", salt, CHEAP, weak);
    expect(await derivePassphraseKey("cafe\u0301 au lait, s'il vous plai\u0302t", salt, CHEAP, weak)).toEqual(nfc);
    const scrypt: PassphraseKdfParams = { alg: "scrypt", N: 16, r: 8, p: 1 };
    const viaScrypt = await derivePassphraseKey("caf\u00e9 au lait, s'il vous pla\u00eet", salt, scrypt, weak);
    expect(viaScrypt).toHaveLength(32);
    expect(viaScrypt).not.toEqual(nfc);
    await expect(derivePassphraseKey("caf\u00e9 au lait, s'il vous pla\u00eet", salt.subarray(0, 15), CHEAP, weak)).rejects.toThrow(RangeError);
  });
});

describe("log access proofs", () => {
  const sessionId = new Uint8Array(32).fill(7);
  const asked: Omit<ChallengeExpectation, "now"> = { op: "retrieve", sessionId, requesterDeviceId: "ada-phone", homeDeviceId: "ada-home" };
  const at = (now: number): ChallengeExpectation => ({ ...asked, now });
  const issue = (now = 1000, over: Partial<ChallengeExpectation> & { ttlMs?: number } = {}) => createLogChallenge({ ...asked, now, random, ...over }).challenge;

  it("verify a proof made with the passphrase-derived authority key, for exactly what was asked", () => {
    const challenge = issue();
    const proof = proveLogAccess(challenge, keys.authoritySecretKey, at(1200));
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, at(1500))).toMatchObject({
      ok: true,
      challenge: { ...asked, issuedAt: 1000, expiresAt: 61_000 },
    });
  });

  it("lay the challenge out as docs/protocol.md says: op, nonce, times, session id, both device ids", () => {
    const { challenge, decoded } = createLogChallenge({ ...asked, op: "clear", now: 0x0102030405, random, ttlMs: 1000 });
    expect([...challenge.subarray(0, 3)]).toEqual([0x01, 0x05, 0x02]);
    expect(challenge.subarray(3, 35)).toEqual(decoded.nonce);
    expect(Buffer.from(challenge.subarray(35, 43)).toString("hex")).toBe("0000000102030405");
    expect(Buffer.from(challenge.subarray(43, 51)).toString("hex")).toBe("00000001020307ed");
    expect(challenge.subarray(51, 83)).toEqual(sessionId);
    expect(Buffer.from(challenge.subarray(83)).toString("latin1")).toBe("\x09ada-phone\x08ada-home");
  });

  it("refuse a proof for one challenge presented for another", () => {
    const proof = proveLogAccess(issue(), keys.authoritySecretKey, at(1200));
    expect(verifyLogAccess(issue(), proof, keys.authorityPublicKey, at(1500))).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("refuse a proof from a wrong passphrase", async () => {
    const { keys: wrong } = await createLogKeys("not the passphrase at all", random, CHEAP, weak);
    const challenge = issue();
    expect(verifyLogAccess(challenge, proveLogAccess(challenge, wrong.authoritySecretKey, at(1200)), keys.authorityPublicKey, at(1500))).toEqual({
      ok: false,
      code: "PROOF_INVALID",
    });
  });

  it("home side: refuse an expired proof, and one naming another operation, device or channel", () => {
    const challenge = issue();
    const proof = proveLogAccess(challenge, keys.authoritySecretKey, at(1200));
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, at(61_000))).toEqual({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, at(999))).toEqual({ ok: false, code: "CHALLENGE_EXPIRED" });
    for (const other of [{ op: "clear" }, { requesterDeviceId: "eve" }, { homeDeviceId: "other-home" }, { sessionId: new Uint8Array(32).fill(8) }] as const) {
      expect(verifyLogAccess(challenge, proof, keys.authorityPublicKey, { ...at(1500), ...other })).toEqual({ ok: false, code: "CHALLENGE_MISMATCH" });
    }
    const bad = proof.slice();
    bad[0] = (bad[0] as number) ^ 1;
    expect(verifyLogAccess(challenge, bad, keys.authorityPublicKey, at(1500))).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("sign every field: a proof does not survive a flipped bit in any of them", () => {
    const challenge = issue();
    const proof = proveLogAccess(challenge, keys.authoritySecretKey, at(1200));
    // The first and last byte of every field (version, kind, op, nonce, times, session id, both ids).
    for (const i of [0, 1, 2, 3, 34, 35, 42, 43, 50, 51, 82, 83, 84, 92, 93, challenge.length - 1]) {
      const edited = challenge.slice();
      edited[i] = (edited[i] as number) ^ 0x04;
      expect(verifyLogAccess(edited, proof, keys.authorityPublicKey, at(1500)).ok).toBe(false);
    }
  });

  it("requester side: refuse to sign a challenge for another operation, requester, home or channel", () => {
    for (const forged of [{ op: "clear" }, { requesterDeviceId: "rogue-device" }, { homeDeviceId: "rogue-device" }, { sessionId: new Uint8Array(32).fill(9) }] as const) {
      const challenge = issue(1000, forged);
      expect(() => proveLogAccess(challenge, keys.authoritySecretKey, at(1200))).toThrow(expect.objectContaining({ code: "CHALLENGE_MISMATCH" }));
    }
  });

  it("requester side: refuse an expired challenge, one from too far in the future, and one valid for too long", () => {
    const challenge = issue(1000); // valid [1000, 61_000)
    expect(() => checkLogChallenge(challenge, at(61_000 + LOG_CLOCK_SKEW_MS))).toThrow(expect.objectContaining({ code: "CHALLENGE_EXPIRED" }));
    expect(() => checkLogChallenge(challenge, at(61_000 + LOG_CLOCK_SKEW_MS - 1))).not.toThrow(); // within the stated clock skew
    const early = issue(500_000);
    expect(() => checkLogChallenge(early, at(500_000 - LOG_CLOCK_SKEW_MS - 1))).toThrow(expect.objectContaining({ code: "CHALLENGE_EXPIRED" }));
    // A challenge valid for longer than anyone needs: a home would not issue it, so nobody signs it.
    const forever = issue(1000, { ttlMs: MAX_CHALLENGE_TTL_MS });
    expect(() => checkLogChallenge(forever, at(1200))).not.toThrow();
    expect(() => createLogChallenge({ ...asked, now: 1000, random, ttlMs: MAX_CHALLENGE_TTL_MS + 1 })).toThrow(RangeError);
    const edited = forever.slice();
    edited[50] = (edited[50] as number) + 1; // expiresAt one ms beyond the limit
    expect(() => checkLogChallenge(edited, at(1200))).toThrow(expect.objectContaining({ code: "CHALLENGE_EXPIRED" }));
  });

  it("requester side: refuse to sign a forged or garbled challenge", () => {
    const challenge = issue();
    for (const garbled of [new Uint8Array(60), challenge.subarray(0, challenge.length - 1), Uint8Array.of(...challenge, 0)]) {
      expect(() => proveLogAccess(garbled, keys.authoritySecretKey, at(1200))).toThrow(expect.objectContaining({ code: "MALFORMED" }));
    }
    const unknownOp = challenge.slice();
    unknownOp[2] = 0x03;
    expect(() => proveLogAccess(unknownOp, keys.authoritySecretKey, at(1200))).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });

  it("are domain-separated: a handshake-style signature over the same bytes does not verify", async () => {
    const nacl = (await import("tweetnacl")).default;
    const challenge = issue();
    const raw = nacl.sign.detached(challenge, keys.authoritySecretKey);
    expect(verifyLogAccess(challenge, raw, keys.authorityPublicKey, at(1500))).toEqual({ ok: false, code: "PROOF_INVALID" });
  });

  it("refuse misuse with TypeError/RangeError", () => {
    const challenge = issue();
    expect(() => proveLogAccess(challenge, keys.authoritySecretKey, { ...at(1200), sessionId: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => proveLogAccess(challenge, keys.authoritySecretKey, { ...at(1200), op: "delete" as never })).toThrow(RangeError);
    expect(() => proveLogAccess(challenge, keys.authoritySecretKey, undefined as never)).toThrow(TypeError);
    expect(() => verifyLogAccess(challenge, new Uint8Array(64), keys.authorityPublicKey, { ...at(1200), requesterDeviceId: "" })).toThrow(RangeError);
  });
});
