import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { applyMigrations } from "@/lib/db/migrate";
import { readMigrations } from "@/lib/db/migrations";
import { makeTempDir } from "../../support/temp-dir";

// The embedded database holds password hashes and device keys: other local
// users of the machine must not read it (issue 10). data/ is created 0700 and
// the database file 0600, whatever the umask.

const mode = (file: string) => statSync(file).mode & 0o777;
let temp: { dir: string; remove: () => void };
let previousUmask: number;

beforeEach(() => {
  temp = makeTempDir("private-files");
  // A permissive umask, as some service managers set.
  previousUmask = process.umask(0o002);
});
afterEach(() => {
  process.umask(previousUmask);
  temp.remove();
});

async function openAndMigrate(filePath: string): Promise<void> {
  await applyMigrations(createAdapterFactory(parseDatabaseUrl(`file:${filePath}`)), readMigrations());
}

it("creates the data directory 0700 and the database file 0600", async () => {
  const dataDir = path.join(temp.dir, "data");
  const dbFile = path.join(dataDir, "communisp.db");
  await openAndMigrate(dbFile);
  expect(mode(dataDir).toString(8)).toBe("700");
  expect(mode(dbFile).toString(8)).toBe("600");
});

it("takes away group and other access from a database file made by an older version", async () => {
  const dataDir = path.join(temp.dir, "old");
  mkdirSync(dataDir, { mode: 0o755 });
  const dbFile = path.join(dataDir, "communisp.db");
  writeFileSync(dbFile, "");
  chmodSync(dbFile, 0o644);
  await openAndMigrate(dbFile);
  expect(mode(dbFile).toString(8)).toBe("600");
});
