// Opening sealed records on the phone: version-2 (epoch) records and the
// version-1 records sealed before epochs existed, on both implementations of
// the primitives, in batches as they stream in; and the home's side, which
// rolls epochs over and wipes their keys.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import {
  closeLogEpoch,
  createLogKeys,
  createLogOpener,
  EPOCH_MAX_RECORDS,
  logEpochSpent,
  openLogEpoch,
  openSealed,
  openSealedWithShared,
  seal,
  sealedEphemeralKey,
  sealInEpoch,
  tweetnaclPrimitives,
  webCryptoPrimitives,
  type LogKeys,
  type Primitives,
} from "@/lib/crypto";
import { seededRandom } from "../support/fake-link";

let keys: LogKeys;
const records = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`record ${i} ${"·".repeat(i * 3)}`));
const PATHS: [string, Primitives][] = [
  ["tweetnacl", tweetnaclPrimitives],
  ["native WebCrypto", webCryptoPrimitives(globalThis.crypto.subtle)],
];

beforeAll(async () => {
  ({ keys } = await createLogKeys("opener passphrase", seededRandom(3), { alg: "scrypt", N: 1024, r: 8, p: 1 }, { allowWeakParams: true }));
});

/** Seals `n` records in epochs of at most `perEpoch`, as the home would. */
function sealEpochs(list: Uint8Array[], perEpoch: number, random = seededRandom(5)): Uint8Array[] {
  const out: Uint8Array[] = [];
  let epoch = openLogEpoch(keys.logPublicKey, 1, random);
  for (const record of list) {
    if (epoch.next >= perEpoch) {
      closeLogEpoch(epoch);
      epoch = openLogEpoch(keys.logPublicKey, 1, random);
    }
    out.push(sealInEpoch(epoch, record));
  }
  return out;
}

describe("openSealedWithShared (version 1)", () => {
  it("opens exactly what openSealed opens, given the X25519 output", () => {
    const random = seededRandom(4);
    for (const record of records.slice(0, 5)) {
      const s = seal(record, keys.logPublicKey, random);
      const shared = nacl.scalarMult(keys.logSecretKey, sealedEphemeralKey(s)!);
      expect(openSealedWithShared(s, shared, keys.logPublicKey)).toEqual({ ok: true, record });
      expect(openSealed(s, keys.logSecretKey, keys.logPublicKey)).toEqual({ ok: true, record });
    }
  });
});

describe("the home's epochs", () => {
  it("seals records its own state can no longer open: the chain key moves on and the old one is wiped", async () => {
    const epoch = openLogEpoch(keys.logPublicKey, 1000, seededRandom(6));
    const before = epoch.chainKey!;
    const sealed = sealInEpoch(epoch, records[0]!);
    expect(before).toEqual(new Uint8Array(32)); // overwritten in place
    // Every key the home can derive from what it still holds, tried on the record: none opens it.
    const box = sealed.subarray(38);
    const nonce = new Uint8Array([0, 0, 0, 0, ...epoch.ephemeralPublicKey.subarray(0, 20)]);
    const held = epoch.chainKey!;
    for (const key of [held, hmac(sha256, held, Uint8Array.of(1)), hmac(sha256, held, Uint8Array.of(2))]) expect(nacl.secretbox.open(box, nonce, key)).toBeNull();
    // The passphrase holder opens it.
    const opener = await createLogOpener(keys);
    expect(await opener.open([sealed])).toEqual([records[0]]);
    opener.close();
  });

  it("rolls over after EPOCH_MAX_RECORDS records or 15 minutes, and refuses to seal in a closed or full epoch", () => {
    const epoch = openLogEpoch(keys.logPublicKey, 0, seededRandom(7));
    expect(logEpochSpent(epoch, 15 * 60_000 - 1)).toBe(false);
    expect(logEpochSpent(epoch, 15 * 60_000)).toBe(true);
    for (let i = 0; i < EPOCH_MAX_RECORDS; i++) sealInEpoch(epoch, new Uint8Array(1));
    expect(logEpochSpent(epoch, 1)).toBe(true);
    expect(() => sealInEpoch(epoch, new Uint8Array(1))).toThrow(RangeError);
    const other = openLogEpoch(keys.logPublicKey, 0, seededRandom(8));
    closeLogEpoch(other);
    expect(other.chainKey).toBeNull();
    expect(logEpochSpent(other, 0)).toBe(true);
    expect(() => sealInEpoch(other, new Uint8Array(1))).toThrow(RangeError);
  });

  it("wipes the chain key when the epoch closes", () => {
    const epoch = openLogEpoch(keys.logPublicKey, 0, seededRandom(9));
    const held = epoch.chainKey!;
    closeLogEpoch(epoch);
    expect(held).toEqual(new Uint8Array(32));
  });

  it("refuses a low-order log key (RangeError), as seal() does", () => {
    expect(() => openLogEpoch(new Uint8Array(32), 0, seededRandom(10))).toThrow(RangeError);
  });
});

describe.each(PATHS)("createLogOpener on %s", (_name, primitives) => {
  it("opens version-2 records across several epochs, in batches as they stream in", async () => {
    const sealed = sealEpochs(records, 7);
    const opener = await createLogOpener(keys, primitives);
    const out: (Uint8Array | null)[] = [];
    for (let i = 0; i < sealed.length; i += 9) out.push(...(await opener.open(sealed.slice(i, i + 9))));
    expect(out).toEqual(records);
    opener.close();
  });

  it("still opens version-1 records, mixed with version-2 ones", async () => {
    const random = seededRandom(11);
    const v1 = records.slice(0, 10).map((r) => seal(r, keys.logPublicKey, random));
    const v2 = sealEpochs(records.slice(10), 1024);
    const opener = await createLogOpener(keys, primitives);
    expect(await opener.open([...v1, ...v2])).toEqual(records);
    opener.close();
  });

  it("opens records out of order and across gaps (a lost record), and each only once", async () => {
    const sealed = sealEpochs(records.slice(0, 12), 1024);
    const opener = await createLogOpener(keys, primitives);
    const order = [3, 0, 11, 1, 5];
    expect(await opener.open(order.map((i) => sealed[i]!))).toEqual(order.map((i) => records[i]));
    // A duplicate of a record already opened does not open again.
    expect(await opener.open([sealed[3]!, sealed[4]!])).toEqual([null, records[4]]);
    opener.close();
  });

  it("counts as unreadable, never fatal: a flipped bit anywhere, a changed index, another log key, garbage, a low-order E", async () => {
    const sealed = sealEpochs(records.slice(0, 4), 1024);
    const { keys: otherKeys } = await createLogKeys("another passphrase!", seededRandom(12), { alg: "scrypt", N: 1024, r: 8, p: 1 }, { allowWeakParams: true });
    const foreign = (() => {
      const e = openLogEpoch(otherKeys.logPublicKey, 0, seededRandom(13));
      return sealInEpoch(e, records[0]!);
    })();
    const flips = [0, 1, 2, 33, 34, 37, 38, 50, sealed[1]!.length - 1].map((at) => {
      const bad = sealed[1]!.slice();
      bad[at]! ^= at === 0 ? 0x03 : 0x01;
      return bad;
    });
    const lowOrder = sealed[2]!.slice();
    lowOrder.fill(0, 2, 34);
    const opener = await createLogOpener(keys, primitives);
    const out = await opener.open([...flips, foreign, lowOrder, new Uint8Array(3), sealed[3]!]);
    expect(out.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(out.at(-1)).toEqual(records[3]);
    opener.close();
  });

  it("refuses an index no epoch reaches, so a forged header cannot make it step a chain 2^32 times", async () => {
    const [record] = sealEpochs(records.slice(0, 1), 1024);
    const far = record!.slice();
    far.set([0xff, 0xff, 0xff, 0xff], 34);
    const opener = await createLogOpener(keys, primitives);
    expect(await opener.open([far])).toEqual([null]);
    opener.close();
  });

  it("wipes what it holds on close, and refuses to open after", async () => {
    const opener = await createLogOpener(keys, primitives);
    await opener.open(sealEpochs(records.slice(0, 2), 1024));
    opener.close();
    await expect(opener.open([])).rejects.toThrow(TypeError);
  });
});
