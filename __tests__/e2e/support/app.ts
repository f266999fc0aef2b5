import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
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
  /** Ends the process and removes its data. */
  stop: () => Promise<void>;
  /** Ends the process (signaling, database, everything) but keeps its data, as a crash or a restart would. */
  halt: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts it again on the same port, data and settings. */
  resume: () => Promise<void>;
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

/** A UDP port nobody uses right now, for the built-in STUN responder. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket("udp4");
    probe.on("error", reject);
    probe.bind(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export interface StartAppOptions {
  dev?: boolean;
  /** Lets a test put a proxy in front first; `publicUrl` is then the proxy's address, where browsers (and next-auth's redirects) go. */
  port?: number;
  publicUrl?: string;
  /** The address to listen on (HOST); 127.0.0.1 unless given. */
  host?: string;
  /** Runs the app inside this network namespace (the NAT lab), as `ip netns exec` does. */
  netns?: string;
}

export async function startApp(extraEnv: Record<string, string> = {}, opts: StartAppOptions = {}): Promise<RunningApp> {
  const root = path.resolve(__dirname, "../../..");
  const temp = makeTempDir("app");
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await freePort());
  const url = opts.publicUrl ?? `http://${host}:${port}`;
  // Each app its own STUN port, so apps side by side do not collide on 3478.
  const stunPort = extraEnv.STUN_PORT ?? (opts.netns ? "3478" : String(await freeUdpPort()));
  let output = "";
  const command = [process.execPath, require.resolve("tsx/cli"), "scripts/start.ts", ...(opts.dev ? ["--dev"] : [])];
  const argv = opts.netns ? ["ip", "netns", "exec", opts.netns, ...command] : command;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: opts.dev ? ("development" as const) : ("production" as const),
    PORT: String(port),
    HOST: host,
    NEXTAUTH_URL: url,
    DATA_DIR: temp.dir,
    DATABASE_URL: `file:${temp.dir}/communisp.db`,
    ...extraEnv,
    STUN_PORT: stunPort,
  };

  let child: ChildProcess;
  async function launch(): Promise<void> {
    child = spawn(argv[0]!, argv.slice(1), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const started = child;
    // Never outlive the test process, even when it dies without cleaning up.
    const killChild = () => started.kill("SIGKILL");
    process.once("exit", killChild);
    started.once("exit", () => process.off("exit", killChild));
    started.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const from = output.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`app did not start within 120 s:\n${output}`)), 120_000);
      const check = () => {
        if (output.slice(from).includes("CommunisP ready on")) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout!.on("data", check);
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`app exited with ${code} before it was ready:\n${output}`));
      });
    });
  }

  function halt(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const running = child;
    return new Promise<void>((resolve) => {
      if (running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once("exit", () => resolve());
      running.kill(signal);
      setTimeout(() => running.kill("SIGKILL"), 10_000).unref();
    });
  }

  await launch();
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir: temp.dir,
    output: () => output,
    halt,
    resume: launch,
    stop() {
      stopped ??= halt().then(() => temp.remove());
      return stopped;
    },
  };
}
