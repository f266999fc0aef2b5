import { writeFileSync } from "node:fs";
import path from "node:path";
import { sourceHash } from "../../scripts/build-stamp";
import { makeTempDir } from "../support/temp-dir";

// `npm start` rebuilds when this hash changes; proxy.ts (the CSP) is part of
// the build, so a changed proxy.ts must never run on a stale build.

it("changes when proxy.ts changes", () => {
  const temp = makeTempDir("stamp");
  try {
    writeFileSync(path.join(temp.dir, "proxy.ts"), "export function proxy() {}\n");
    const before = sourceHash(temp.dir);
    writeFileSync(path.join(temp.dir, "proxy.ts"), "export function proxy() { /* stricter */ }\n");
    expect(sourceHash(temp.dir)).not.toBe(before);
  } finally {
    temp.remove();
  }
});
