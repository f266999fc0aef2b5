// A second implementation of the W Ratchet, written from docs/protocol.md
// alone ("Handshake", "Ratchet", "Rekey") with nothing but tweetnacl and
// @noble/hashes, and none of lib/crypto. It replays the random draws and the
// script of w-ratchet-v1.json and must produce every expected byte: so the
// vectors are evidence that the code does what the document says, not a
// snapshot of whatever the code did.
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import vectors from "./w-ratchet-v1.json";

// ---- notation (docs/protocol.md, top) ----
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u8 = (n: number) => Uint8Array.of(n);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return new Uint8Array(b);
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return new Uint8Array(b);
};
const LP = (x: Uint8Array) => cat(u32(x.length), x);
const HKDF = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, L: number) => hkdf(sha256, ikm, salt, info, L);
const HMAC = (k: Uint8Array, m: Uint8Array) => hmac(sha256, k, m);
const DH = (sk: Uint8Array, pk: Uint8Array) => {
  const out = nacl.scalarMult(sk, pk);
  if (out.every((b) => b === 0)) throw new Error("all-zero DH output");
  return out;
};
const less = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a).equals(Buffer.from(b));
const ZERO32 = new Uint8Array(32);
const ROTATE_MS = 60_000;

/** The party's random draws, in the order the document lists them. */
function drawsOf(list: string[]) {
  const queue = list.map(unhex);
  return () => {
    const next = queue.shift();
    if (!next || next.length !== 32) throw new Error("ran out of draws");
    return next;
  };
}

// ---- "Ratchet": KDF_RK, KDF_CK, message encryption ----
function kdfRk(rk: Uint8Array, dhOut: Uint8Array) {
  const out = HKDF(dhOut, rk, ascii("CommunisP/W1/kdf-rk"), 64);
  return { rk: out.slice(0, 32), ck: out.slice(32, 64) };
}
const kdfCk = (ck: Uint8Array) => ({ ck: HMAC(ck, u8(0x02)), mk: HMAC(ck, u8(0x01)) });
function messageKeys(mk: Uint8Array) {
  const out = HKDF(mk, ZERO32, ascii("CommunisP/W1/message-keys"), 88);
  return { encKey: out.slice(0, 32), authKey: out.slice(32, 64), nonce: out.slice(64, 88) };
}

interface Party {
  nickname: string;
  deviceId: string;
  draw: () => Uint8Array;
  sign: nacl.SignKeyPair;
  dhPublic: Uint8Array;
  eph: { secretKey: Uint8Array; publicKey: Uint8Array };
  nonce: Uint8Array;
  hello: Uint8Array;
}

interface State {
  role: "alice" | "bob";
  ad: Uint8Array;
  rk: Uint8Array;
  dhs: { secretKey: Uint8Array; publicKey: Uint8Array };
  dhr: Uint8Array | null;
  cks: Uint8Array;
  ckr: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  sendingChainSince: number;
  rekeyAnswerDue: boolean;
}

// ---- "Identity" and "Hello" ----
function party(p: (typeof vectors.inputs.parties)[number]): Party {
  const draw = drawsOf(p.draws);
  const sign = nacl.sign.keyPair.fromSeed(draw());
  const dhPublic = nacl.scalarMult.base(draw());
  const ephSecret = draw();
  const eph = { secretKey: ephSecret, publicKey: nacl.scalarMult.base(ephSecret) };
  const nonce = draw();
  const nick = ascii(p.nickname);
  const dev = ascii(p.deviceId);
  const hello = cat(u8(0x01), u8(0x01), sign.publicKey, eph.publicKey, nonce, u8(nick.length), nick, u8(dev.length), dev);
  return { nickname: p.nickname, deviceId: p.deviceId, draw, sign, dhPublic, eph, nonce, hello };
}

// ---- "Roles and transcript", "Auth", "Initial keys" ----
function handshake(me: Party, peer: Party, binding: Uint8Array, now: number) {
  const role: "alice" | "bob" = less(me.eph.publicKey, peer.eph.publicKey) ? "alice" : "bob";
  const [helloA, helloB] = role === "alice" ? [me.hello, peer.hello] : [peer.hello, me.hello];
  const th = sha256(cat(LP(ascii("CommunisP/W1/transcript")), LP(binding), LP(helloA), LP(helloB)));
  const roleByte = role === "alice" ? 0x41 : 0x42;
  const sig = nacl.sign.detached(cat(ascii("CommunisP/W1/handshake-signature"), u8(0x00), u8(roleByte), th), me.sign.secretKey);
  const auth = cat(u8(0x01), u8(0x02), th, sig);
  const ss = DH(me.eph.secretKey, peer.eph.publicKey);
  const okm = HKDF(ss, ZERO32, cat(ascii("CommunisP/W1/root"), th), 64);
  const [rk0, ck0] = [okm.slice(0, 32), okm.slice(32, 64)];
  const [ikA, ikB] = role === "alice" ? [me.sign.publicKey, peer.sign.publicKey] : [peer.sign.publicKey, me.sign.publicKey];
  const ad = cat(ikA, ikB, th);
  const base = { role, ad, ns: 0, nr: 0, pn: 0, sendingChainSince: now, rekeyAnswerDue: false } as const;
  let state: State;
  if (role === "bob") {
    state = { ...base, rk: rk0, dhs: me.eph, dhr: null, cks: ck0, ckr: null };
  } else {
    const secretKey = me.draw();
    const dhs = { secretKey, publicKey: nacl.scalarMult.base(secretKey) };
    const next = kdfRk(rk0, DH(dhs.secretKey, peer.eph.publicKey));
    state = { ...base, rk: next.rk, dhs, dhr: peer.eph.publicKey, cks: next.ck, ckr: ck0 };
  }
  return { role, th, auth, ss, rk0, ck0, state, peerSign: peer.sign.publicKey };
}

function checkAuth(auth: Uint8Array, th: Uint8Array, peerRole: "alice" | "bob", peerKey: Uint8Array) {
  expect(hex(auth.slice(2, 34))).toBe(hex(th));
  const signed = cat(ascii("CommunisP/W1/handshake-signature"), u8(0x00), u8(peerRole === "alice" ? 0x41 : 0x42), th);
  expect(nacl.sign.detached.verify(signed, auth.slice(34, 98), peerKey)).toBe(true);
}

// ---- "Ratchet message", "Rekey" ----
function encrypt(s: State, plaintext: Uint8Array, flags: number, now: number): Uint8Array {
  const step = kdfCk(s.cks);
  s.cks = step.ck;
  const header = cat(u8(0x01), u8(0x03), u8(flags), s.dhs.publicKey, u32(s.pn), u32(s.ns), u64(now));
  s.ns += 1;
  const k = messageKeys(step.mk);
  const ciphertext = nacl.secretbox(plaintext, k.nonce, k.encKey);
  const mac = HMAC(k.authKey, cat(s.ad, header, ciphertext));
  s.rekeyAnswerDue = false; // any message we send answers a pending request
  return cat(header, ciphertext, mac);
}

/** A rekey frame: an answer if the peer asked and our chain is younger than ROTATE_MS, else a request. */
function rekeyFlags(s: State, now: number): number {
  return s.rekeyAnswerDue && now - s.sendingChainSince < ROTATE_MS ? 0x02 : 0x01;
}

function decrypt(s: State, wire: Uint8Array, now: number, draw: () => Uint8Array): { flags: number; plaintext: Uint8Array } {
  const header = wire.slice(0, 51);
  const flags = header[2]!;
  const dh = header.slice(3, 35);
  const n = Buffer.from(header.slice(39, 43)).readUInt32BE();
  const ciphertext = wire.slice(51, wire.length - 32);
  const mac = wire.slice(wire.length - 32);
  if (!same(s.dhr, dh)) {
    // DHRatchet (DR §3.5), in order: receiving chain, then a new key pair and sending chain.
    s.pn = s.ns;
    s.ns = 0;
    s.nr = 0;
    s.dhr = dh;
    const recv = kdfRk(s.rk, DH(s.dhs.secretKey, s.dhr));
    s.rk = recv.rk;
    s.ckr = recv.ck;
    const secretKey = draw();
    s.dhs = { secretKey, publicKey: nacl.scalarMult.base(secretKey) };
    const send = kdfRk(s.rk, DH(s.dhs.secretKey, s.dhr));
    s.rk = send.rk;
    s.cks = send.ck;
    s.sendingChainSince = now;
  }
  expect(n).toBe(s.nr); // the script delivers in order: nothing to skip
  const step = kdfCk(s.ckr!);
  s.ckr = step.ck;
  s.nr += 1;
  const k = messageKeys(step.mk);
  expect(hex(HMAC(k.authKey, cat(s.ad, header, ciphertext)))).toBe(hex(mac));
  const plaintext = nacl.secretbox.open(ciphertext, k.nonce, k.encKey);
  if (!plaintext) throw new Error("secretbox did not open");
  if (flags === 0x01) s.rekeyAnswerDue = true;
  return { flags, plaintext };
}

describe("W Ratchet v1 vectors, rebuilt by an independent implementation of docs/protocol.md", () => {
  const { inputs, expected } = vectors;
  const parties = inputs.parties.map(party) as [Party, Party];
  const binding = unhex(inputs.channelBinding);
  const hs = [handshake(parties[0], parties[1], binding, inputs.handshakeAt), handshake(parties[1], parties[0], binding, inputs.handshakeAt)] as const;

  it("derives the identities and hellos from the draws", () => {
    expect(parties.map((p) => ({ signPublicKey: hex(p.sign.publicKey), dhPublicKey: hex(p.dhPublic) }))).toEqual(expected.identities);
    expect(parties.map((p) => hex(p.hello))).toEqual(expected.hellos);
  });

  it("agrees on roles, transcript hash, shared secret, root key, bob's first chain and the auth messages", () => {
    expect(hs.map((h) => h.role)).toEqual(expected.roles);
    expect(hex(hs[0].th)).toBe(expected.transcriptHash);
    expect(hex(hs[1].th)).toBe(expected.transcriptHash);
    expect(hex(hs[0].ss)).toBe(expected.ephemeralShared);
    expect(hex(hs[0].rk0)).toBe(expected.initialRootKey);
    expect(hex(hs[0].ck0)).toBe(expected.bobInitialChainKey);
    expect(hs.map((h) => hex(h.auth))).toEqual(expected.auths);
    expect(hex(hs[0].state.ad)).toBe(expected.associatedData);
    checkAuth(hs[1].auth, hs[0].th, hs[1].role, parties[1].sign.publicKey);
    checkAuth(hs[0].auth, hs[1].th, hs[0].role, parties[0].sign.publicKey);
  });

  it("produces every message of the script byte for byte, rekey frames included, and reads them back", () => {
    const states = [hs[0].state, hs[1].state];
    const produced = inputs.script.map((step) => {
      const from = states[step.from]!;
      const to = states[1 - step.from]!;
      const flags = step.kind === "rekey" ? rekeyFlags(from, step.at) : 0x00;
      const wire = encrypt(from, ascii(step.plaintext), flags, step.at);
      const read = decrypt(to, wire, step.at, parties[1 - step.from]!.draw);
      expect(Buffer.from(read.plaintext).toString("utf8")).toBe(step.plaintext);
      const kind = ({ 0: "data", 1: "rekey-request", 2: "rekey-answer" } as Record<number, string>)[read.flags];
      return { from: step.from, at: step.at, kind, wire: hex(wire) };
    });
    expect(produced).toEqual(expected.messages);
    // Every listed draw was used: no more, no fewer (the document's draw order).
    for (const p of parties) expect(() => p.draw()).toThrow("ran out of draws");
  });
});
