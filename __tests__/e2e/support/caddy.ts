import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import path from "node:path";
import { makeTempDir } from "../../support/temp-dir";
import { freePort } from "./app";

// Debian's caddy as the TLS reverse proxy docs/deploy.md describes, with its
// own internal CA (`tls internal`) in a throwaway data directory. The CA's
// root certificate is what a test's Chromium is made to trust.

export interface RunningCaddy {
  url: string;
  port: number;
  rootCaPem: string;
  output: () => string;
  stop: () => Promise<void>;
}

export function caddyPath(): string {
  const found = spawnSync("sh", ["-c", "command -v caddy"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("Caddy is needed for the https end-to-end test and was not found. Install it with `sudo apt-get install -y caddy` (Debian/Ubuntu).");
  return found;
}

/** https://localhost:<port> → http://127.0.0.1:<upstreamPort>. */
export async function startCaddy(upstreamPort: number, opts: { port?: number } = {}): Promise<RunningCaddy> {
  const binary = caddyPath();
  const temp = makeTempDir("caddy");
  const port = opts.port ?? (await freePort());
  const httpPort = await freePort();
  const caddyfile = path.join(temp.dir, "Caddyfile");
  writeFileSync(
    caddyfile,
    `{
  admin off
  skip_install_trust
  http_port ${httpPort}
  https_port ${port}
  auto_https disable_redirects
}

https://localhost:${port} {
  tls internal
  reverse_proxy 127.0.0.1:${upstreamPort}
}
`,
  );
  let output = "";
  const child = spawn(binary, ["run", "--config", caddyfile, "--adapter", "caddyfile"], {
    env: { PATH: process.env.PATH, HOME: temp.dir, XDG_DATA_HOME: path.join(temp.dir, "data"), XDG_CONFIG_HOME: path.join(temp.dir, "config"), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  child.once("exit", () => process.off("exit", killChild));
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));

  const rootPath = path.join(temp.dir, "data", "caddy", "pki", "authorities", "local", "root.crt");
  const deadline = Date.now() + 30_000;
  // Ready when the root exists and the port completes a TLS handshake with it.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}:\n${output}`);
    if (existsSync(rootPath) && (await handshakes(port, readFileSync(rootPath, "utf8")))) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`caddy did not serve https on ${port} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `https://localhost:${port}`,
    port,
    rootCaPem: readFileSync(rootPath, "utf8"),
    output: () => output,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }).then(() => temp.remove());
      return stopped;
    },
  };
}

function handshakes(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, servername: "localhost", ca }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}
