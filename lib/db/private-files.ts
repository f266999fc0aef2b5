import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";

// The embedded database holds password hashes, sessions and device keys:
// other users of the machine must not read it. Its directory is created 0700
// and the file 0600 whatever the umask; a file made by an older version with
// group or other access loses it. SQLite gives its journal and WAL files the
// database file's permissions. (Loaded by server.ts outside Next, so no
// "server-only" guard.)

export function preparePrivateFile(filePath: string): void {
  const dir = path.dirname(filePath);
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dir, 0o700);
  if (!existsSync(filePath)) closeSync(openSync(filePath, "a", 0o600));
  const mode = statSync(filePath).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(filePath, mode & 0o700);
}
