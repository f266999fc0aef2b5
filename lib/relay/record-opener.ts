import { createLogOpener, type LogKeys, type LogOpener, type Primitives } from "@/lib/crypto";
import { pagePrimitives } from "@/lib/this-device/page-primitives";

// The phone's side of opening sealed records: lib/crypto's opener on this
// page's primitives, native X25519 where the browser has it. Version-2
// records cost one X25519 per epoch; older (version-1) records one each.

export type { LogOpener };

export async function recordOpener(keys: LogKeys, primitives?: Primitives): Promise<LogOpener> {
  return createLogOpener(keys, primitives ?? (await pagePrimitives()));
}
