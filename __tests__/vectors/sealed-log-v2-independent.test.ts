// A second implementation of docs/protocol.md "Sealed record, version 2",
// written from the document alone with tweetnacl and @noble/hashes and none
// of lib/crypto: it seals the vector file's records from its draws and must
// produce every committed byte, then opens them as the passphrase holder
// would. So sealed-log-v2.json is evidence that the code does what the
// document says.
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import vectors from "./sealed-log-v2.json";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return new Uint8Array(b);
};
const BASE_POINT = cat(Uint8Array.of(9), new Uint8Array(31));

// "root = HKDF(ikm = ss, salt = E || L, info = "CommunisP/W1/log-epoch", L = 32)"
const root = (ss: Uint8Array, E: Uint8Array, L: Uint8Array) => hkdf(sha256, ss, cat(E, L), utf8("CommunisP/W1/log-epoch"), 32);
// "mk_i = HMAC(ck_i, 0x01)", "ck_(i+1) = HMAC(ck_i, 0x02)"
const mkOf = (ck: Uint8Array) => hmac(sha256, ck, Uint8Array.of(0x01));
const nextCk = (ck: Uint8Array) => hmac(sha256, ck, Uint8Array.of(0x02));
// "nonce_i = u32(i) || E[0..20)"
const nonceOf = (i: number, E: Uint8Array) => cat(u32(i), E.subarray(0, 20));

describe("sealed record v2, reimplemented from docs/protocol.md", () => {
  const l = unhex(vectors.inputs.logSecretKey);
  const L = nacl.scalarMult(l, BASE_POINT);

  it("derives the log public key the vectors list", () => {
    expect(hex(L)).toBe(vectors.expected.logPublicKey);
  });

  it("seals every record to the committed bytes: 0x02 || 0x04 || E || u32(i) || secretbox(record, nonce_i, mk_i)", () => {
    const out: string[] = [];
    for (const epoch of vectors.inputs.epochs) {
      const e = unhex(epoch.draw);
      const E = nacl.scalarMult(e, BASE_POINT);
      const ss = nacl.scalarMult(e, L);
      expect(ss.some((b) => b !== 0)).toBe(true);
      let ck = root(ss, E, L);
      epoch.records.forEach((text, i) => {
        const box = nacl.secretbox(utf8(text), nonceOf(i, E), mkOf(ck));
        out.push(hex(cat(Uint8Array.of(0x02, 0x04), E, u32(i), box)));
        ck = nextCk(ck);
      });
    }
    expect(out).toEqual(vectors.expected.sealed);
  });

  it("opens them with the log secret key: ss = X25519(l, E), then the chain", () => {
    const texts: string[] = [];
    const chains = new Map<string, { ck: Uint8Array; next: number }>();
    for (const h of vectors.expected.sealed) {
      const sealed = unhex(h);
      expect([sealed[0], sealed[1]]).toEqual([0x02, 0x04]);
      const E = sealed.subarray(2, 34);
      const i = Buffer.from(sealed.subarray(34, 38)).readUInt32BE();
      if (!chains.has(hex(E))) chains.set(hex(E), { ck: root(nacl.scalarMult(l, E), E, L), next: 0 });
      const chain = chains.get(hex(E))!;
      expect(i).toBe(chain.next); // in order, as the home wrote them
      const record = nacl.secretbox.open(sealed.subarray(38), nonceOf(i, E), mkOf(chain.ck));
      chain.ck = nextCk(chain.ck);
      chain.next += 1;
      texts.push(Buffer.from(record!).toString("utf8"));
    }
    expect(texts).toEqual(vectors.inputs.epochs.flatMap((e) => e.records));
  });

  it("has 54 bytes of overhead per record", () => {
    const first = vectors.inputs.epochs[0]!.records[1]!;
    expect(unhex(vectors.expected.sealed[1]!).length - utf8(first).length).toBe(54);
  });
});
