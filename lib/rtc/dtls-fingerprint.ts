import { sha256 } from "@noble/hashes/sha2.js";

// The DTLS certificate fingerprints a secure channel binds its handshake to
// (docs/protocol.md "Connections"). The remote one is computed from the
// certificate the DTLS handshake actually presented (RTCDtlsTransport
// .getRemoteCertificates()), not read from the SDP line, which only says what
// the certificate was supposed to be. The local one comes from our own local
// description, which this browser wrote and nobody else touched. Format as
// in SDP (RFC 8122 §5): "sha-256 AB:CD:…".

/** What the two fingerprint sources need from an RTCPeerConnection. */
export interface DtlsView {
  readonly localDescription: { sdp: string } | null;
  readonly remoteDescription: { sdp: string } | null;
  readonly sctp: { transport: { getRemoteCertificates?: () => ArrayBuffer[] } } | null;
}

/** "sha-256 " and the SHA-256 of a DER certificate, upper-case hex pairs joined by colons. */
export function certificateFingerprint(der: ArrayBuffer | Uint8Array): string {
  const digest = sha256(der instanceof Uint8Array ? der : new Uint8Array(der));
  return `sha-256 ${Array.from(digest, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":")}`;
}

/** Every distinct sha-256 fingerprint an SDP commits to (one per media section, usually the same). */
export function sdpSha256Fingerprints(sdp: string | undefined | null): string[] {
  const found = new Set<string>();
  for (const match of (sdp ?? "").matchAll(/^a=fingerprint:sha-256 ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})\s*$/gm)) {
    found.add(`sha-256 ${match[1]!.toUpperCase()}`);
  }
  return [...found];
}

/**
 * The remote certificate's fingerprint as negotiated, or null when there is
 * none to be had (no transport yet, no certificate, or an ambiguous answer).
 * A browser without getRemoteCertificates falls back to the remote SDP, and
 * only when it names exactly one sha-256 fingerprint: the DTLS stack then
 * accepted no other certificate (RFC 8842 §5).
 */
export function remoteFingerprint(pc: DtlsView): string | null {
  const transport = pc.sctp?.transport;
  if (!transport) return null;
  if (typeof transport.getRemoteCertificates !== "function") {
    const listed = sdpSha256Fingerprints(pc.remoteDescription?.sdp);
    return listed.length === 1 ? listed[0]! : null;
  }
  const certificates = transport.getRemoteCertificates();
  // The first certificate is the peer's own (the rest would be its chain).
  return certificates.length > 0 ? certificateFingerprint(certificates[0]!) : null;
}

/** Our own certificate's fingerprint, from the description this browser wrote. */
export function localFingerprint(pc: DtlsView): string | null {
  const listed = sdpSha256Fingerprints(pc.localDescription?.sdp);
  return listed.length === 1 ? listed[0]! : null;
}
