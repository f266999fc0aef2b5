import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify, type ECDH } from "node:crypto";

// The user agent's side of Web Push, written from the RFCs with Node's crypto
// and nothing from web-push, so the tests check the server's output against
// the standard rather than against the library that produced it:
// RFC 8291 (message encryption) over RFC 8188 (aes128gcm), and RFC 8292 (VAPID).

export interface Receiver {
  ecdh: ECDH;
  auth: Buffer;
  /** What PushSubscription.toJSON().keys would hold. */
  keys: { p256dh: string; auth: string };
}

export function newReceiver(): Receiver {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } };
}

/** A receiver with fixed keys (for the RFC 8291 appendix A example). */
export function receiverFrom(privateKey: Buffer, auth: Buffer): Receiver {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(privateKey);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } };
}

const hmac = (key: Buffer, ...data: (Buffer | string)[]) => {
  const h = createHmac("sha256", key);
  for (const d of data) h.update(d);
  return h.digest();
};
const ONE = Buffer.from([1]);

export interface Decrypted {
  plaintext: Buffer;
  salt: Buffer;
  recordSize: number;
  /** The application server's ephemeral public key (keyid). */
  asPublic: Buffer;
}

/** Decrypts one aes128gcm message (RFC 8188 header, RFC 8291 keys). Throws on any authentication failure. */
export function decryptAes128gcm(body: Buffer, receiver: Receiver): Decrypted {
  // RFC 8188 §2.1: salt(16) || rs(uint32) || idlen(uint8) || keyid(idlen) || records
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, expected a 65-byte P-256 point`);
  // A ping is tiny: one record, which is therefore the last one.
  if (records.length > recordSize) throw new Error("expected a single record");

  // RFC 8291 §3.3-3.4
  const uaPublic = receiver.ecdh.getPublicKey();
  const ecdhSecret = receiver.ecdh.computeSecret(asPublic);
  const prkKey = hmac(receiver.auth, ecdhSecret);
  const ikm = hmac(prkKey, "WebPush: info\0", uaPublic, asPublic, ONE);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, "Content-Encoding: aes128gcm\0", ONE).subarray(0, 16);
  const nonce = hmac(prk, "Content-Encoding: nonce\0", ONE).subarray(0, 12); // record 0: XOR with SEQ 0 is a no-op

  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // RFC 8188 §2: data || delimiter (0x02 for the last record) || zero padding
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 0x02) throw new Error("last record does not end with the 0x02 delimiter");
  return { plaintext: padded.subarray(0, end), salt, recordSize, asPublic };
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/**
 * Parses `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3) and verifies the
 * ES256 signature with `k`, which must be the expected public key.
 */
export function verifyVapid(authorization: string | undefined, expectedPublicKey: string): { header: Record<string, unknown>; claims: VapidClaims } {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a vapid Authorization header: ${authorization}`);
  const [, jwt, k] = match as unknown as [string, string, string];
  if (k !== expectedPublicKey) throw new Error("k is not the server's VAPID public key");
  const [h, p, s] = jwt.split(".") as [string, string, string];
  const point = Buffer.from(k, "base64url");
  const key = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33, 65).toString("base64url") },
    format: "jwk",
  });
  // JWS ES256 signatures are r || s (64 bytes), not DER.
  if (!verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"))) {
    throw new Error("VAPID JWT signature does not verify");
  }
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as VapidClaims;
  return { header, claims };
}
