import { X509Certificate, generateKeyPairSync, randomBytes, sign } from "node:crypto";

// A throwaway self-signed certificate for 127.0.0.1, built by hand in DER:
// Node can sign but not issue X.509, and the tests should not depend on an
// `openssl` binary being installed. Only what TLS verification looks at is
// included: an ECDSA P-256 key, a validity window and an IP subjectAltName.

const tlv = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
};
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const oid = (bytes: number[]) => tlv(0x06, Buffer.from(bytes));
const utcTime = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const integer = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

const ECDSA_WITH_SHA256 = seq(oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])); // 1.2.840.10045.4.3.2
const COMMON_NAME = [0x55, 0x04, 0x03]; // 2.5.4.3
const SUBJECT_ALT_NAME = [0x55, 0x1d, 0x11]; // 2.5.29.17

export interface SelfSigned {
  cert: string;
  key: string;
}

export function selfSignedCertificate(ip = "127.0.0.1"): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = seq(set(seq(oid(COMMON_NAME), tlv(0x0c, Buffer.from(ip)))));
  const now = Date.now();
  const ipBytes = Buffer.from(ip.split(".").map(Number));
  const altNames = seq(tlv(0x87, ipBytes)); // [7] iPAddress
  const extensions = explicit(3, seq(seq(oid(SUBJECT_ALT_NAME), tlv(0x04, altNames))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(randomBytes(8)),
    ECDSA_WITH_SHA256,
    name,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 24 * 3600_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const der = seq(tbs, ECDSA_WITH_SHA256, bitString(sign("sha256", tbs, privateKey)));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`.replace("\n\n", "\n");
  // Parses as X.509 and carries a signature its own key verifies: fail here, not in a TLS handshake.
  if (!new X509Certificate(pem).verify(publicKey)) throw new Error("self-signed certificate does not verify");
  return { cert: pem, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}
