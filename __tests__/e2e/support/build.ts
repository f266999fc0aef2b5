import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

/**
 * Makes the production build current, as `npm start` would
 * (`scripts/start.ts --build-only`): quick when it already is, a `next build`
 * otherwise. The e2e tests and the benchmarks start the app from it.
 */
export function ensureBuild(output: "inherit" | "stderr" = "inherit"): void {
  const stdio = output === "inherit" ? "inherit" : (["ignore", 2, 2] as const);
  const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "scripts/start.ts", "--build-only"], { cwd: ROOT, stdio: stdio as "inherit", env: process.env });
  if (result.status !== 0) throw new Error(`\`npm start\` could not make a production build (scripts/start.ts --build-only exited ${result.status ?? result.signal}); see the output above.`);
}
