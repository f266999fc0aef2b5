// `npm run db:migrate`: applies pending migrations and exits. `npm start` does
// this by itself; hosted deployments (no long-running server.ts) run it as a
// build or release step against their libSQL/Turso database.
import { loadEnvConfig } from "@next/env";
import { createAdapterFactory, parseDatabaseUrl, resolveDatabaseUrl } from "../lib/db/adapter";
import { applyMigrations } from "../lib/db/migrate";
import { readMigrations } from "../lib/db/migrations";

async function main() {
  loadEnvConfig(process.cwd());
  // Unset: the embedded database `npm start` would use.
  const url = resolveDatabaseUrl({ DATABASE_URL: process.env.DATABASE_URL || undefined, DATA_DIR: process.env.DATA_DIR || "./data" }, "embedded");
  const { applied, alreadyApplied } = await applyMigrations(createAdapterFactory(parseDatabaseUrl(url, process.env.DATABASE_AUTH_TOKEN)), readMigrations());
  console.log(applied.length > 0 ? `Applied ${applied.join(", ")} (${alreadyApplied} already applied).` : `Up to date (${alreadyApplied} migrations applied).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
