import { spawnSync } from "node:child_process";
import path from "node:path";
import { chromiumPath } from "./chromium";

// Runs once before the end-to-end tests: fail early, with instructions, when
// Chromium is missing, and make the production build current (as `npm start`
// would) so that each test's app starts in seconds.
export default async function globalSetup(): Promise<void> {
  chromiumPath();
  const root = path.resolve(__dirname, "../../..");
  const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "scripts/start.ts", "--build-only"], { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("`npm start` could not make a production build; see the output above.");
}
