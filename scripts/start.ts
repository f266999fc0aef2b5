// `npm start`: the app on embedded defaults with no manual configuration.
//   1. .env files, then generated secrets for whatever is still missing;
//   2. a production build if none is current (skipped with --dev);
//   3. server.ts: migrations, built-in signaling, Next, one port.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { isBuildCurrent, sourceHash, writeBuildStamp } from "./build-stamp";
import { ensureSecrets } from "./secrets";

const root = path.resolve(__dirname, "..");
const dev = process.argv.includes("--dev");
// `--build-only`: make the build current and stop (CI and the e2e set-up use it).
const buildOnly = process.argv.includes("--build-only");

function ensureBuild(): void {
  const hash = sourceHash(root);
  if (isBuildCurrent(root, hash)) return;
  console.log("[start] no current production build: running `next build` (a minute or two, once)…");
  const nextBin = require.resolve("next/dist/bin/next");
  const result = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) {
    console.error("[start] `next build` failed; see the output above.");
    process.exit(result.status ?? 1);
  }
  writeBuildStamp(root, hash);
}

async function main(): Promise<void> {
  process.chdir(root);
  // A privacy product does not phone home: no Next.js telemetry.
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  if (buildOnly) return ensureBuild();
  loadEnvConfig(root, dev);
  (process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
  const generated = ensureSecrets(process.env, process.env.DATA_DIR ?? "./data");
  if (generated.length > 0) console.log(`[start] generated ${generated.join(", ")} into ${path.join(process.env.DATA_DIR ?? "./data", "secrets.env")}`);
  const https = ["1", "true"].includes(process.env.HTTPS ?? "");
  process.env.NEXTAUTH_URL ??= `${https ? "https" : "http"}://localhost:${process.env.PORT ?? 3000}`;
  if (!dev) ensureBuild();

  const { startServer } = await import("../server");
  const server = await startServer({ dev });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`[start] ${signal}: shutting down`);
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
