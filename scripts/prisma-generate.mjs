// Runs `prisma generate` after install. The Prisma CLI insists on locating its
// native schema engine even though generating a client never runs it, and the
// engine cannot be downloaded on machines without access to binaries.prisma.sh.
// Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies that
// check; migrations are applied by lib/db/migrate.ts instead of the engine.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
env.CHECKPOINT_DISABLE = "1";

const result = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
