// "A production build is made when none is current": current means .next holds
// a build whose stamp matches a hash of everything that goes into it.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUT_DIRS = ["app", "lib", "public", "types"];
const INPUT_FILES = ["next.config.js", "tsconfig.json", "package-lock.json", "prisma/schema.prisma", "instrumentation.ts", "proxy.ts"];
const SKIP = new Set(["node_modules", "generated"]);
const STAMP = path.join(".next", "communisp-build-stamp");

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    if (SKIP.has(entry)) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
}

export function sourceHash(root: string): string {
  const files: string[] = [];
  for (const dir of INPUT_DIRS) walk(path.join(root, dir), files);
  for (const file of INPUT_FILES) if (existsSync(path.join(root, file))) files.push(path.join(root, file));
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

export function isBuildCurrent(root: string, hash = sourceHash(root)): boolean {
  const stamp = path.join(root, STAMP);
  return existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash;
}

export function writeBuildStamp(root: string, hash: string): void {
  writeFileSync(path.join(root, STAMP), `${hash}\n`);
}
