// Passphrase → 32-byte master key through a memory-hard KDF (argon2id by
// default, scrypt allowed). Parameters travel with the salt so any device can
// re-derive; a floor refuses parameters weakened by whoever stored them.
import { argon2idAsync } from "@noble/hashes/argon2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { assertBytes, utf8Encode } from "./bytes";

export type PassphraseKdfParams =
  | { alg: "argon2id"; /** memory, KiB */ m: number; /** passes */ t: number; /** lanes */ p: number }
  | { alg: "scrypt"; N: number; r: number; p: number };

/** OWASP Password Storage Cheat Sheet's first argon2id option: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_PASSPHRASE_KDF: Readonly<PassphraseKdfParams> = Object.freeze({ alg: "argon2id", m: 19456, t: 2, p: 1 });
export const MIN_SALT_BYTES = 16;

export interface PassphraseOptions {
  /** Allow parameters below the OWASP floor. Only for tests. */
  allowWeakParams?: boolean;
  onProgress?: (fraction: number) => void;
}

function inRange(v: unknown, lo: number, hi: number): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
}

/** Throws RangeError for malformed parameters, or for weak ones unless allowed. */
export function checkKdfParams(params: PassphraseKdfParams, allowWeak = false): PassphraseKdfParams {
  if (typeof params !== "object" || params === null) throw new TypeError("kdf params must be an object");
  if (params.alg === "argon2id") {
    if (!inRange(params.p, 1, 4) || !inRange(params.t, 1, 16) || !inRange(params.m, 8 * params.p, 262144)) {
      throw new RangeError("argon2id params out of range (m ≤ 256 MiB, t ≤ 16, p ≤ 4)");
    }
    // OWASP's equivalent argon2id settings all cost at least m·t ≥ 35 MiB·passes with m ≥ 7 MiB.
    if (!allowWeak && (params.m < 7168 || params.m * params.t < 35840)) throw new RangeError("argon2id params below the OWASP minimum");
    return { alg: "argon2id", m: params.m, t: params.t, p: params.p };
  }
  if (params.alg === "scrypt") {
    const pow2 = inRange(params.N, 2, 1 << 20) && (params.N & (params.N - 1)) === 0;
    if (!pow2 || !inRange(params.r, 1, 32) || !inRange(params.p, 1, 4)) throw new RangeError("scrypt params out of range (N a power of two ≤ 2^20)");
    if (!allowWeak && (params.N < 1 << 17 || params.r < 8)) throw new RangeError("scrypt params below the OWASP minimum (N=2^17, r=8)");
    return { alg: "scrypt", N: params.N, r: params.r, p: params.p };
  }
  throw new RangeError("kdf alg must be argon2id or scrypt");
}

/** Unicode NFKC first, so the same passphrase typed on two keyboards derives the same key. */
export async function derivePassphraseKey(
  passphrase: string,
  salt: Uint8Array,
  params: PassphraseKdfParams,
  opts: PassphraseOptions = {},
): Promise<Uint8Array> {
  if (typeof passphrase !== "string" || passphrase.length === 0) throw new TypeError("passphrase must be a non-empty string");
  assertBytes(salt, "salt");
  if (salt.length < MIN_SALT_BYTES) throw new RangeError(`salt must be at least ${MIN_SALT_BYTES} bytes`);
  const p = checkKdfParams(params, opts.allowWeakParams === true);
  const pw = utf8Encode(passphrase.normalize("NFKC"));
  try {
    if (p.alg === "argon2id") {
      return await argon2idAsync(pw, salt, { m: p.m, t: p.t, p: p.p, dkLen: 32, onProgress: opts.onProgress });
    }
    return await scryptAsync(pw, salt, { N: p.N, r: p.r, p: p.p, dkLen: 32, onProgress: opts.onProgress });
  } finally {
    pw.fill(0);
  }
}
