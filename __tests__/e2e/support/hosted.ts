import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

// The app as a Vercel-style platform runs it: `next build` once, then
// `next start` per instance (no server.ts: no built-in signaling, no
// migrations at start, no socket addresses stamped), several instances
// behind a round-robin load balancer that appends X-Forwarded-For.

const ROOT = path.resolve(__dirname, "../../..");
const NEXT_BIN = require.resolve("next/dist/bin/next");

export interface HostedInstance {
  port: number;
  /** Its start-up check passed (false: it exited; see output()). */
  ready: boolean;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...env };
}

/**
 * `npm run db:migrate`, the release step a hosted deployment runs before its
 * instances start. Asynchronous: the database may be served from this very
 * process (the Hrana stand-in), which a blocking spawn would starve.
 */
export async function migrateDatabase(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), "scripts/migrate.ts"], { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`npm run db:migrate failed (${code}):\n${output}`);
  return output;
}

/** Starts `next start`; resolves once the instance's start-up check said it is ready, or it exited. */
export async function startInstance(port: number, env: Record<string, string>): Promise<HostedInstance> {
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      process.off("exit", killChild);
      resolve(code);
    }),
  );
  const ready = await new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next start did not become ready within 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (!output.includes("CommunisP ready (hosted")) return;
      clearTimeout(timer);
      resolve(true);
    };
    child.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  return {
    port,
    ready,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadBalancer {
  url: string;
  port: number;
  /** Requests forwarded to each upstream port. */
  served: Map<number, number>;
  close: () => Promise<void>;
}

/** Round robin over `upstreams`, one request each in turn, X-Forwarded-For appended as a platform's proxy does. */
export async function startLoadBalancer(upstreams: number[]): Promise<LoadBalancer> {
  const served = new Map(upstreams.map((p) => [p, 0]));
  let next = 0;
  const server: Server = createServer((req, res) => {
    const port = upstreams[next++ % upstreams.length]!;
    served.set(port, (served.get(port) ?? 0) + 1);
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const upstream = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: { ...req.headers, "x-forwarded-for": forwardedFor, "x-forwarded-proto": "http" } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
