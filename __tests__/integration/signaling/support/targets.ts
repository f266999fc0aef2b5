// The servers under test: the built-in one, and soketi as a reference nobody
// on the team wrote. Both listen on 127.0.0.1 on ports picked at run time.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";

export interface AppCredentials {
  id: string;
  key: string;
  secret: string;
}

export interface Target {
  name: TargetName;
  port: number;
  app: AppCredentials;
  stop(): Promise<void>;
}

export type TargetName = "builtin" | "soketi";

export interface TargetOptions {
  maxConnections?: number;
  /** Other credentials than the conformance app's. */
  app?: AppCredentials;
  /** Serve wss:// and https:// with this certificate (PEM files). */
  tls?: { certPath: string; keyPath: string; caPem: string };
}

export const APP: AppCredentials = { id: "conformance-app", key: "conformance-key", secret: "conformance-secret" };

export const SOKETI_DIR = join(__dirname, "..", "..", "..", "..", ".soketi");
const SOKETI_BIN = join(SOKETI_DIR, "node_modules", "@soketi", "soketi", "bin", "server.js");
export const SOKETI_INSTALL_HINT =
  "Install it with `node scripts/soketi/install.mjs` (needs the npm registry; about 15 s, idempotent), then rerun.";

export async function startBuiltin(opts: TargetOptions = {}): Promise<Target & { server: PusherServer }> {
  const server = createPusherServer({ app: APP, maxConnections: opts.maxConnections });
  const { port } = await server.listen(0, "127.0.0.1");
  return { name: "builtin", port, app: APP, server, stop: () => server.close() };
}

/** A port that was free a moment ago (soketi cannot report the one it picked). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GET / answers 200 once soketi listens (over TLS with the given CA when it serves TLS). */
function soketiAnswers(port: number, tls: TargetOptions["tls"]): Promise<boolean> {
  return new Promise((resolve) => {
    const request = tls
      ? httpsGet({ host: "127.0.0.1", port, path: "/", servername: "localhost", ca: tls.caPem }, (res) => resolve(res.statusCode === 200))
      : httpGet({ host: "127.0.0.1", port, path: "/" }, (res) => resolve(res.statusCode === 200));
    request.on("error", () => resolve(false));
    request.setTimeout(2_000, () => request.destroy());
  });
}

export async function startSoketi(opts: TargetOptions = {}): Promise<Target> {
  const app = opts.app ?? APP;
  if (!existsSync(SOKETI_BIN) || !existsSync(join(SOKETI_DIR, ".installed"))) {
    throw new Error(`soketi is not installed in ${SOKETI_DIR}. ${SOKETI_INSTALL_HINT}`);
  }
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH ?? "",
    SOKETI_HOST: "127.0.0.1",
    SOKETI_PORT: String(port),
    SOKETI_METRICS_ENABLED: "false",
    SOKETI_METRICS_HOST: "127.0.0.1",
    SOKETI_METRICS_SERVER_PORT: String(metricsPort),
    SOKETI_DEFAULT_APP_ID: app.id,
    SOKETI_DEFAULT_APP_KEY: app.key,
    SOKETI_DEFAULT_APP_SECRET: app.secret,
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: "false",
    // Pusher's 10 KB event limit; soketi's own default is 100 KB.
    SOKETI_EVENT_MAX_SIZE_IN_KB: "10",
    SOKETI_SHUTDOWN_GRACE_PERIOD: "100",
  };
  if (opts.maxConnections !== undefined) env.SOKETI_DEFAULT_APP_MAX_CONNS = String(opts.maxConnections);
  if (opts.tls) Object.assign(env, { SOKETI_SSL_CERT: opts.tls.certPath, SOKETI_SSL_KEY: opts.tls.keyPath });
  const child = spawn(process.execPath, [SOKETI_BIN, "start"], { cwd: SOKETI_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`soketi exited with code ${child.exitCode} while starting:\n${output}\n${SOKETI_INSTALL_HINT}`);
    }
    if (await soketiAnswers(port, opts.tls)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(`soketi did not answer on port ${port} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: "soketi", port, app, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export const STARTERS: Record<TargetName, (opts?: TargetOptions) => Promise<Target>> = {
  builtin: startBuiltin,
  soketi: startSoketi,
};
