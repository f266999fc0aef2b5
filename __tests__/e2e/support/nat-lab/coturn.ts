import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NatLab } from "./lab";

// coturn in the lab, configured with exactly the block the README shows
// (so the documented configuration is the tested one): only the values the
// README marks CHANGE are replaced.

const MARKER = "<!-- nat-lab:coturn-config:";

export const TURN_TOOL = { command: "turnserver", args: ["--version"], apt: "coturn" };

/** The README's coturn configuration, with the secret and realm put in. */
export function documentedCoturnConfig(secret: string, realm: string): string {
  const readme = readFileSync(path.resolve(__dirname, "../../../../README.md"), "utf8");
  const at = readme.indexOf(MARKER);
  if (at === -1) throw new Error(`README.md has no coturn configuration block (marked "${MARKER}")`);
  const block = /```ini\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error("README.md's coturn block is not an ```ini fenced block after its marker");
  let replaced = 0;
  const config = block[1]!.replace(/^(static-auth-secret|realm)=.*$/gm, (_line, key: string) => {
    replaced += 1;
    return `${key}=${key === "realm" ? realm : secret}`;
  });
  if (replaced !== 2) throw new Error(`README.md's coturn block should set static-auth-secret and realm once each (found ${replaced})`);
  return config;
}

export interface RunningCoturn {
  output: () => string;
}

/** Starts coturn in the lab's "turn" namespace and waits until it answers on `address`:3478. */
export async function startCoturn(lab: NatLab, opts: { secret: string; realm: string; address: string }): Promise<RunningCoturn> {
  const dir = path.join(tmpdir(), `communisp-natlab-${lab.name}`);
  const file = path.join(dir, "turnserver.conf");
  writeFileSync(file, documentedCoturnConfig(opts.secret, opts.realm));
  // Logging, the pid file and coturn's own database file are the lab's business, not the configuration's.
  const child = spawn("ip", ["netns", "exec", lab.ns("turn"), "turnserver", "-c", file, "--log-file", "stdout", "--simple-log", "--pidfile", path.join(dir, "turnserver.pid"), "--db", path.join(dir, "turndb")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  lab.track(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_resolve, reject) => child.once("exit", (code) => reject(new Error(`coturn exited with ${code}:\n${output}`))));
  exited.catch(() => undefined);
  // Ready when it answers STUN on its public address (it logs no "listening" line by default).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) await exited;
    if (lab.stunProbe("srv", [`${opts.address}:3478`]).mapped[0]) break;
    if (attempt >= 3) throw new Error(`coturn does not answer STUN on ${opts.address}:3478:\n${output}`);
  }
  return { output: () => output };
}
