import "server-only";
import { runtimeMode } from "@/lib/deployment/runtime";
import { env } from "@/lib/env";
import { createAdapterFactory, parseDatabaseUrl, resolveDatabaseUrl } from "./adapter";
import { PrismaClient } from "./generated/client";

export type { PrismaClient } from "./generated/client";

// One client per process; kept on globalThis so dev-mode reloads reuse it.
const holder = globalThis as unknown as { communispPrisma?: PrismaClient };

export function db(): PrismaClient {
  if (!holder.communispPrisma) {
    const config = env();
    holder.communispPrisma = new PrismaClient({ adapter: createAdapterFactory(parseDatabaseUrl(resolveDatabaseUrl(config, runtimeMode()), config.DATABASE_AUTH_TOKEN)) });
  }
  return holder.communispPrisma;
}

