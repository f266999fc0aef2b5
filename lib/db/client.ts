import "server-only";
import { env } from "@/lib/env";
import { createAdapterFactory, parseDatabaseUrl } from "./adapter";
import { PrismaClient } from "./generated/client";

export type { PrismaClient } from "./generated/client";

// One client per process; kept on globalThis so dev-mode reloads reuse it.
const holder = globalThis as unknown as { communispPrisma?: PrismaClient };

export function db(): PrismaClient {
  if (!holder.communispPrisma) {
    const { DATABASE_URL, DATABASE_AUTH_TOKEN } = env();
    holder.communispPrisma = new PrismaClient({ adapter: createAdapterFactory(parseDatabaseUrl(DATABASE_URL, DATABASE_AUTH_TOKEN)) });
  }
  return holder.communispPrisma;
}
