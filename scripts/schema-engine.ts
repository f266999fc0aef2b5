// Prisma's own schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm),
// driven through a driver adapter. The Prisma CLI normally downloads a native
// engine; this machine cannot, so development tooling (new migrations, the
// drift test) talks to the wasm build directly. Never loaded by the app.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from "@prisma/driver-adapter-utils";

const require = createRequire(__filename);

interface WasmBindings {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: {
    new: (options: { datamodels: [string, string][] | undefined }, log: (line: string) => void, adapter: object) => Promise<SchemaEngine>;
  };
}

export type SchemaFilter = { externalTables: string[]; externalEnums: string[] };
export const noFilter: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: { path: string; migrationFile: { path: string; content: { tag: "ok"; value: string } | { tag: "error"; value: string } } }[];
}

export type DiffTarget =
  | { tag: "empty" }
  | { tag: "schemaDatamodel"; files: { path: string; content: string }[] }
  | ({ tag: "migrations" } & MigrationList);

export interface SchemaEngine {
  diff(params: { from: DiffTarget; to: DiffTarget; script: boolean; exitCode: boolean | null; filters: SchemaFilter }): Promise<{ exitCode: number; stdout: string | null }>;
  applyMigrations(input: { migrationsList: MigrationList; filters: SchemaFilter }): Promise<{ appliedMigrationNames: string[] }>;
  diagnoseMigrationHistory(input: { migrationsList: MigrationList; optInToShadowDatabase: boolean; filters: SchemaFilter }): Promise<{
    history: { diagnostic: string; [key: string]: unknown } | null;
    failedMigrationNames: string[];
    editedMigrationNames: string[];
    hasMigrationsTable: boolean;
  }>;
  free(): void;
}

let bindings: Promise<WasmBindings> | undefined;

async function loadBindings(): Promise<WasmBindings> {
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
  const bg = (await import(path.join(dir, "schema_engine_bg.js"))) as WasmBindings;
  const bytes = await readFile(path.join(dir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bg;
}

/**
 * The engine hands whole migration scripts to `executeRaw`, which
 * better-sqlite3 refuses ("contains more than one statement"); such calls are
 * rerouted to `executeScript`, which is what the native engine does.
 */
function acceptScripts(factory: SqlMigrationAwareDriverAdapterFactory, opened: SqlDriverAdapter[]): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    opened.push(adapter);
    return new Proxy(adapter, {
      get(target, property, receiver) {
        if (property !== "executeRaw") return Reflect.get(target, property, receiver);
        return async (query: SqlQuery) => {
          try {
            return await target.executeRaw(query);
          } catch (error) {
            // By name, not instanceof: under Jest the driver's error comes from another realm.
            const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
            const multi = name === "RangeError" && typeof message === "string" && /more than one statement/.test(message);
            if (!multi || query.args.length > 0) throw error;
            await target.executeScript(query.sql);
            return 0;
          }
        };
      },
    });
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}

/** `close()` frees the engine and the connections it opened (free() alone leaves them holding locks). */
export async function openSchemaEngine(schemaPath: string, adapter: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine & { close(): Promise<void> }> {
  bindings ??= loadBindings();
  const { SchemaEngine } = await bindings;
  const schema = await readFile(schemaPath, "utf8");
  // The engine reports progress as JSON log lines; only errors matter here.
  const log = (line: string) => {
    if (/"level":"(ERROR|WARN)"/.test(line)) console.error(line);
  };
  const opened: SqlDriverAdapter[] = [];
  const engine = await SchemaEngine.new({ datamodels: [[path.basename(schemaPath), schema]] }, log, bindMigrationAwareSqlAdapterFactory(acceptScripts(adapter, opened)));
  return Object.assign(engine, {
    async close() {
      engine.free();
      await Promise.all(opened.map((connection) => connection.dispose().catch(() => undefined)));
    },
  });
}

export async function schemaTarget(schemaPath: string): Promise<DiffTarget> {
  return { tag: "schemaDatamodel", files: [{ path: path.basename(schemaPath), content: await readFile(schemaPath, "utf8") }] };
}

/** The migrations folder in the shape the engine reads it (as the CLI builds it). */
export function migrationList(baseDir: string): MigrationList {
  const lockPath = path.join(baseDir, "migration_lock.toml");
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: readdirSync(baseDir)
      .filter((entry) => statSync(path.join(baseDir, entry)).isDirectory())
      .sort()
      .map((entry) => ({
        path: entry,
        migrationFile: { path: "migration.sql", content: { tag: "ok" as const, value: readFileSync(path.join(baseDir, entry, "migration.sql"), "utf8") } },
      })),
  };
}
