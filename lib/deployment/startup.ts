import "server-only";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { MigrationError, pendingMigrations } from "@/lib/db/migrate";
import { readMigrations, type Migration } from "@/lib/db/migrations";
import { env, EnvError, usesBuiltinSignaling, type Env } from "@/lib/env";
import { deploymentProblems } from "./problems";
import { runtimeMode } from "./runtime";

// The start-up check of a hosted deployment (`next start`, serverless), run
// once per instance from instrumentation.ts before the first request: the
// configuration is complete and coherent, the database answers and carries
// every migration. Under `npm start`, server.ts has done all of this already.

/** Where the database is, without credentials, for messages. */
function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "file:" ? url : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "the configured database";
  }
}

async function databaseProblems(config: Env, url: string): Promise<string[]> {
  let migrations: Migration[];
  try {
    migrations = readMigrations();
  } catch {
    // A bundle without prisma/migrations (a serverless function): the build
    // step ran `npm run db:migrate`, and only reachability can be checked here.
    migrations = [];
  }
  try {
    const pending = await pendingMigrations(createAdapterFactory(parseDatabaseUrl(url, config.DATABASE_AUTH_TOKEN)), migrations);
    if (pending.length === 0) return [];
    return [`The database at ${describeDatabase(url)} lacks ${pending.length} migration(s) (${pending.join(", ")}): run \`npm run db:migrate\` with the same DATABASE_URL (on Vercel, as part of the build command).`];
  } catch (error) {
    if (error instanceof MigrationError) return [error.message];
    return [`Cannot use the database at ${describeDatabase(url)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** Problems that keep a hosted instance from working; empty when it can serve. */
export async function hostedStartupProblems(): Promise<string[]> {
  let config: Env;
  try {
    config = env();
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  const problems = deploymentProblems(config, "hosted");
  if (problems.length > 0 || !config.DATABASE_URL) return problems;
  return databaseProblems(config, config.DATABASE_URL);
}

/** Called from instrumentation.ts: refuses to serve a hosted instance that cannot work. */
export async function checkStartup(): Promise<void> {
  if (runtimeMode() === "embedded") return;
  const problems = await hostedStartupProblems();
  if (problems.length > 0) {
    console.error(`CommunisP cannot start: the configuration cannot work.\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example and docs/deploy.md.`);
    // Next logs a failed instrumentation hook and serves anyway; a half-working
    // instance answering 500s is worse than none.
    process.exit(1);
  }
  const config = env();
  console.log(`CommunisP ready (hosted; database: ${describeDatabase(config.DATABASE_URL!)}; signaling: ${usesBuiltinSignaling(config) ? "built-in" : config.PUSHER_CLUSTER ? `Pusher cluster ${config.PUSHER_CLUSTER}` : config.PUSHER_HOST})`);
}
