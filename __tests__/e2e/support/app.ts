import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { makeTempDir } from "../../support/temp-dir";

// The app as `npm start` runs it (scripts/start.ts: secrets, migrations,
// built-in signaling, Next), on its own port, database and data directory.

export interface RunningApp {
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `port` lets a test put a proxy in front first; `publicUrl` is then the
 * proxy's address, which is where browsers (and next-auth's redirects) go.
 */
export async function startApp(extraEnv: Record<string, string> = {}, opts: { dev?: boolean; port?: number; publicUrl?: string } = {}): Promise<RunningApp> {
  const root = path.resolve(__dirname, "../../..");
  const temp = makeTempDir("app");
  const port = opts.port ?? (await freePort());
  const url = opts.publicUrl ?? `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [require.resolve("tsx/cli"), "scripts/start.ts", ...(opts.dev ? ["--dev"] : [])], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: opts.dev ? "development" : "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: url,
      DATA_DIR: temp.dir,
      DATABASE_URL: `file:${temp.dir}/communisp.db`,
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Never outlive the test process, even when it dies without cleaning up.
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  child.once("exit", () => process.off("exit", killChild));
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start within 120 s:\n${output}`)), 120_000);
    const check = () => {
      if (output.includes("CommunisP ready on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited with ${code} before it was ready:\n${output}`));
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir: temp.dir,
    output: () => output,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }).then(() => temp.remove());
      return stopped;
    },
  };
}
