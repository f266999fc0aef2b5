import { createHash, randomBytes } from "node:crypto";
import { certificateFingerprint, localFingerprint, remoteFingerprint, sdpSha256Fingerprints, type DtlsView } from "@/lib/rtc/dtls-fingerprint";

// The channel binding's inputs: the peer's fingerprint from the certificate
// DTLS negotiated, ours from our own description. Node's own SHA-256 is the
// oracle for the digest; Chromium's real certificates are exercised end to
// end (every e2e connection binds its handshake with them).

const colonHex = (buf: Buffer) => buf.toString("hex").toUpperCase().match(/../g)!.join(":");
const sdpWith = (...prints: string[]) => ["v=0", "a=ice-ufrag:abcd", ...prints.map((p) => `a=fingerprint:${p}`), "a=setup:actpass", ""].join("\r\n");

function view(opts: { local?: string; remote?: string; certificates?: ArrayBuffer[] | "no-api"; transport?: boolean }): DtlsView {
  const certificates = opts.certificates;
  const transport = opts.transport === false ? null : certificates === "no-api" ? {} : { getRemoteCertificates: () => certificates ?? [] };
  return {
    localDescription: opts.local ? { sdp: opts.local } : null,
    remoteDescription: opts.remote ? { sdp: opts.remote } : null,
    sctp: transport ? { transport } : null,
  };
}

describe("DTLS fingerprints for the channel binding", () => {
  const der = randomBytes(412);
  const real = `sha-256 ${colonHex(createHash("sha256").update(der).digest())}`;
  const claimed = `sha-256 ${colonHex(randomBytes(32))}`;

  it("computes the SHA-256 fingerprint of a DER certificate as SDP writes it", () => {
    expect(certificateFingerprint(der)).toBe(real);
    expect(certificateFingerprint(der.buffer.slice(der.byteOffset, der.byteOffset + der.length))).toBe(real);
  });

  it("takes the peer's fingerprint from the negotiated certificate, not from what the SDP line claims", () => {
    const certificate = der.buffer.slice(der.byteOffset, der.byteOffset + der.length);
    expect(remoteFingerprint(view({ remote: sdpWith(claimed), certificates: [certificate] }))).toBe(real);
  });

  it("has no fingerprint (so the handshake is refused) without a transport or a certificate", () => {
    expect(remoteFingerprint(view({ remote: sdpWith(claimed), transport: false }))).toBeNull();
    expect(remoteFingerprint(view({ remote: sdpWith(claimed), certificates: [] }))).toBeNull();
    expect(localFingerprint(view({ local: "v=0\r\n" }))).toBeNull();
  });

  it("falls back to the remote SDP only in a browser without getRemoteCertificates, and only when it is unambiguous", () => {
    expect(remoteFingerprint(view({ remote: sdpWith(real), certificates: "no-api" }))).toBe(real);
    expect(remoteFingerprint(view({ remote: sdpWith(real, claimed), certificates: "no-api" }))).toBeNull();
    expect(remoteFingerprint(view({ remote: sdpWith("sha-1 AB:CD"), certificates: "no-api" }))).toBeNull();
  });

  it("reads our own fingerprint from our own description, the same line repeated per media section", () => {
    expect(localFingerprint(view({ local: sdpWith(real.toLowerCase().replace("SHA", "sha"), real) }))).toBe(real);
    expect(sdpSha256Fingerprints(sdpWith(real, claimed))).toHaveLength(2);
    expect(localFingerprint(view({ local: sdpWith(real, claimed) }))).toBeNull();
  });
});
