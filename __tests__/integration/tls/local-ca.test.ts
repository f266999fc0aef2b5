import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { connect } from "node:tls";
import forge from "node-forge";
import { ensureLocalTls } from "@/lib/tls/local-ca";
import { makeTempDir } from "../../support/temp-dir";

// HTTPS=1's local CA, checked by the thing that matters: a TLS client that
// trusts only that CA (OpenSSL through node:tls) accepts the server and
// refuses a certificate the CA signed for a public name.

const temp = makeTempDir("tls");
afterAll(() => temp.remove());
const identity = { names: ["localhost", "studio.local", "studio"], ips: ["127.0.0.1", "::1", "192.168.1.20"] };

function serve(key: string, cert: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer({ key, cert }, (_req, res) => res.end("ok"));
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function handshake(port: number, ca: string, servername: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername }, () => {
      socket.end();
      resolve(null);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`));
  });
}

describe("the HTTPS=1 local CA", () => {
  const dir = path.join(temp.dir, "one");
  const tls = ensureLocalTls(dir, identity);

  it("makes a CA and a server certificate it signs, for every name and address asked", () => {
    expect(tls.made).toBe("ca");
    const ca = new X509Certificate(tls.caCertPem);
    const cert = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    for (const name of identity.names) expect(cert.checkHost(name)).toBe(name);
    for (const ip of identity.ips) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost("example.com")).toBeUndefined();
    expect(tls.caFingerprint).toBe(ca.fingerprint256);
  });

  it("keeps keys owner-only", () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ["ca.key", "server.key"]) expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
  });

  it("is trusted by a TLS client that trusts only this CA", async () => {
    const server = await serve(tls.key, tls.cert);
    try {
      const { port } = server.address() as AddressInfo;
      expect(await handshake(port, tls.caCertPem, "studio.local")).toBeNull();
      // The same client refuses the server when it does not trust the CA: the check is real.
      expect(await handshake(port, ensureLocalTls(path.join(temp.dir, "other"), identity).caCertPem, "studio.local")).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_SIGNATURE_FAILURE)/);
    } finally {
      server.close();
    }
  });

  /** A certificate for `name` signed with the CA's own key, as an attacker holding ca.key would make it. */
  function forged(name: string): { key: string; cert: string } {
    const caCert = forge.pki.certificateFromPem(tls.caCertPem);
    const caKey = forge.pki.privateKeyFromPem(readFileSync(path.join(dir, "ca.key"), "utf8"));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
    cert.serialNumber = "0badc0de";
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: "commonName", value: name }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: name }] },
    ]);
    cert.sign(caKey, forge.md.sha256.create());
    return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
  }

  async function handshakeWith(certificate: { key: string; cert: string }, servername: string): Promise<string | null> {
    const server = await serve(certificate.key, certificate.cert);
    try {
      return await handshake((server.address() as AddressInfo).port, tls.caCertPem, servername);
    } finally {
      server.close();
    }
  }

  it("cannot vouch for a public name, even with its own key (name constraints)", async () => {
    // The same forgery for a local name passes: only the constraint stops the public one.
    expect(await handshakeWith(forged("printer.local"), "printer.local")).toBeNull();
    expect(await handshakeWith(forged("bank.example.com"), "bank.example.com")).toMatch(/permitted subtree violation/);
  });

  it("renews only the server certificate for a new private address, and the CA for a new public name", () => {
    expect(ensureLocalTls(dir, identity).made).toBe("none");
    const before = new X509Certificate(tls.caCertPem).fingerprint256;
    const lan = ensureLocalTls(dir, { ...identity, ips: [...identity.ips, "10.1.2.3"] });
    expect(lan.made).toBe("server");
    expect(new X509Certificate(lan.caCertPem).fingerprint256).toBe(before);
    expect(new X509Certificate(lan.cert).checkIP("10.1.2.3")).toBe("10.1.2.3");
    const publicName = ensureLocalTls(dir, { ...identity, names: [...identity.names, "chat.example.org"] });
    expect(publicName.made).toBe("ca");
    expect(new X509Certificate(publicName.cert).checkHost("chat.example.org")).toBe("chat.example.org");
  });

  it("renews a server certificate that is about to expire", () => {
    const later = new Date(Date.now() + 380 * 86_400_000);
    expect(ensureLocalTls(dir, identity, later).made).toBe("server");
  });
});
