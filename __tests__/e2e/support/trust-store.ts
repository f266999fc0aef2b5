import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeTempDir } from "../../support/temp-dir";

// A home directory whose NSS database trusts one CA, so a Chromium started
// with HOME pointing there trusts certificates that CA issued, exactly as a
// person who installed the CA would (Chromium on Linux reads user-installed
// roots from $HOME/.pki/nssdb). No certificate-error bypass is involved.

export interface TrustingHome {
  home: string;
  remove: () => void;
}

function certutil(args: string[]): void {
  const result = spawnSync("certutil", args, { encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("`certutil` is needed to make Chromium trust a test CA and was not found. Install it with `sudo apt-get install -y libnss3-tools`.");
  }
  if (result.status !== 0) throw new Error(`certutil ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
}

export function homeTrusting(cas: { name: string; pem: string }[]): TrustingHome {
  const temp = makeTempDir("home");
  const nssdb = path.join(temp.dir, ".pki", "nssdb");
  mkdirSync(nssdb, { recursive: true });
  certutil(["-N", "-d", `sql:${nssdb}`, "--empty-password"]);
  for (const [i, ca] of cas.entries()) {
    const file = path.join(temp.dir, `ca-${i}.pem`);
    writeFileSync(file, ca.pem);
    // "C,,": a trusted CA for TLS servers (and nothing else).
    certutil(["-A", "-d", `sql:${nssdb}`, "-n", ca.name, "-t", "C,,", "-i", file]);
  }
  return { home: temp.dir, remove: temp.remove };
}
