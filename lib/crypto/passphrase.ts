// Passphrase → 32-byte master key through a memory-hard KDF (argon2id by
// default, scrypt allowed). Parameters travel with the salt so any device can
// re-derive; they are accepted only between a floor (so a tampered bundle
// cannot make guessing cheap) and a ceiling (so it cannot exhaust a phone's
// memory or time). The passphrase rules are enforced here, where the key is
// derived, and not only in the form that asks for it.
import { argon2idAsync } from "@noble/hashes/argon2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { assertBytes, utf8Encode } from "./bytes";
import { CryptoError } from "./errors";

export type PassphraseKdfParams =
  | { alg: "argon2id"; /** memory, KiB */ m: number; /** passes */ t: number; /** lanes */ p: number }
  | { alg: "scrypt"; N: number; r: number; p: number };

/**
 * New log keys: argon2id, 64 MiB, 3 passes, 1 lane (RFC 9106 §4's second
 * recommended option, and above every row of the OWASP table). The time it
 * takes on a phone-class CPU is in docs/protocol.md "Keys from a passphrase".
 */
export const DEFAULT_PASSPHRASE_KDF: Readonly<PassphraseKdfParams> = Object.freeze({ alg: "argon2id", m: 65536, t: 3, p: 1 });
export const MIN_SALT_BYTES = 16;
/** Characters (Unicode code points after NFKC), so the rule means the same on every keyboard. */
export const MIN_PASSPHRASE_CHARS = 12;
/** An upper bound keeps the KDF's input, and the form, sane. */
export const MAX_PASSPHRASE_BYTES = 1024;

/**
 * Accepted argon2id parameters. Floor: the OWASP Password Storage Cheat
 * Sheet's table (m ≥ 7 MiB and m·t ≥ 35 MiB, which its rows 7 MiB × 5 …
 * 46 MiB × 1 all meet); the earlier default (19 MiB × 2) is on it, so logs
 * sealed under it stay readable. Ceiling: 256 MiB and 8 passes, and at most
 * four times the default's work (m·t ≤ 768 MiB): what a phone can still do.
 */
export const ARGON2ID_BOUNDS = Object.freeze({ minM: 7168, minMT: 35840, maxM: 262144, maxT: 8, maxMT: 786432, maxP: 4 });
/**
 * Accepted scrypt parameters. Floor: OWASP's N = 2^17, r = 8 (128 MiB).
 * Ceiling: 256 MiB of memory (128·N·r bytes, so N·r ≤ 2^21) and twice that
 * work (N·r·p ≤ 2^22). N = 2^20, r = 8 (1 GiB) is refused.
 */
export const SCRYPT_BOUNDS = Object.freeze({ minN: 1 << 17, minR: 8, maxR: 32, maxNr: 1 << 21, maxNrp: 1 << 22, maxP: 4 });

export interface PassphraseOptions {
  /** Allow parameters below the floor (never above the ceiling). Only for tests. */
  allowWeakParams?: boolean;
  onProgress?: (fraction: number) => void;
}

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;

function checkArgon2id(params: { m: unknown; t: unknown; p: unknown }, allowWeak: boolean): PassphraseKdfParams {
  const b = ARGON2ID_BOUNDS;
  if (!isInt(params.p, 1, b.maxP)) throw new RangeError(`argon2id p must be an integer in 1..${b.maxP}`);
  if (!isInt(params.t, 1, b.maxT)) throw new RangeError(`argon2id t must be an integer in 1..${b.maxT}`);
  if (!isInt(params.m, 8 * params.p, b.maxM)) throw new RangeError(`argon2id m must be an integer in ${8 * params.p}..${b.maxM} KiB`);
  if (params.m * params.t > b.maxMT) throw new RangeError(`argon2id m·t must be at most ${b.maxMT} KiB·passes`);
  if (!allowWeak && (params.m < b.minM || params.m * params.t < b.minMT)) {
    throw new RangeError(`argon2id params below the floor (m ≥ ${b.minM} KiB and m·t ≥ ${b.minMT} KiB·passes)`);
  }
  return { alg: "argon2id", m: params.m, t: params.t, p: params.p };
}

function checkScrypt(params: { N: unknown; r: unknown; p: unknown }, allowWeak: boolean): PassphraseKdfParams {
  const b = SCRYPT_BOUNDS;
  if (!isInt(params.N, 2, 1 << 30) || (params.N & (params.N - 1)) !== 0) throw new RangeError("scrypt N must be a power of two");
  if (!isInt(params.r, 1, b.maxR)) throw new RangeError(`scrypt r must be an integer in 1..${b.maxR}`);
  if (!isInt(params.p, 1, b.maxP)) throw new RangeError(`scrypt p must be an integer in 1..${b.maxP}`);
  if (params.N * params.r > b.maxNr) throw new RangeError(`scrypt memory 128·N·r must be at most 256 MiB (N·r ≤ 2^21)`);
  if (params.N * params.r * params.p > b.maxNrp) throw new RangeError("scrypt work N·r·p must be at most 2^22");
  if (!allowWeak && (params.N < b.minN || params.r < b.minR)) throw new RangeError("scrypt params below the floor (N ≥ 2^17, r ≥ 8)");
  return { alg: "scrypt", N: params.N, r: params.r, p: params.p };
}

/** Returns a clean copy of params within the floor and the ceiling; RangeError otherwise. */
export function checkKdfParams(params: PassphraseKdfParams, allowWeak = false): PassphraseKdfParams {
  if (typeof params !== "object" || params === null) throw new TypeError("kdf params must be an object");
  if (params.alg === "argon2id") return checkArgon2id(params, allowWeak);
  if (params.alg === "scrypt") return checkScrypt(params, allowWeak);
  throw new RangeError("kdf alg must be argon2id or scrypt");
}

/** What is wrong with a passphrase, in words for the person typing it, or null when it is acceptable. */
export function passphraseProblem(passphrase: string): string | null {
  if (typeof passphrase !== "string") throw new TypeError("passphrase must be a string");
  const normal = passphrase.normalize("NFKC");
  if ([...normal].length < MIN_PASSPHRASE_CHARS) return `The log passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (utf8Encode(normal).length > MAX_PASSPHRASE_BYTES) return `The log passphrase must be at most ${MAX_PASSPHRASE_BYTES} bytes.`;
  return null;
}

/**
 * Unicode NFKC first, so the same passphrase typed on two keyboards derives
 * the same key. Throws CryptoError PASSPHRASE_INVALID for a passphrase that
 * breaks the rules (see passphraseProblem), RangeError for bad parameters.
 */
export async function derivePassphraseKey(
  passphrase: string,
  salt: Uint8Array,
  params: PassphraseKdfParams,
  opts: PassphraseOptions = {},
): Promise<Uint8Array> {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new CryptoError("PASSPHRASE_INVALID", problem);
  assertBytes(salt, "salt");
  if (salt.length < MIN_SALT_BYTES) throw new RangeError(`salt must be at least ${MIN_SALT_BYTES} bytes`);
  const p = checkKdfParams(params, opts.allowWeakParams === true);
  const pw = utf8Encode(passphrase.normalize("NFKC"));
  try {
    if (p.alg === "argon2id") {
      // maxmem: noble's own guard, set to what the ceiling allows (defence in depth).
      return await argon2idAsync(pw, salt, { m: p.m, t: p.t, p: p.p, dkLen: 32, maxmem: ARGON2ID_BOUNDS.maxM * 1024, onProgress: opts.onProgress });
    }
    return await scryptAsync(pw, salt, { N: p.N, r: p.r, p: p.p, dkLen: 32, maxmem: 128 * SCRYPT_BOUNDS.maxNr + 128 * SCRYPT_BOUNDS.maxR * (SCRYPT_BOUNDS.maxP + 1), onProgress: opts.onProgress });
  } finally {
    pw.fill(0);
  }
}
