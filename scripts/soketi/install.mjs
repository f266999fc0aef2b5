#!/usr/bin/env node
// Brings soketi up in a folder of its own (.soketi/ at the repo root, git-
// ignored), as the reference server the signaling conformance suite compares
// the built-in server against. soketi is not a dependency of the app.
//
// Why this is more than `npm install @soketi/soketi`: soketi 1.6.1 (the last
// release; the project is unmaintained) depends on uWebSockets.js straight
// from a git host, which is unreachable here and often elsewhere. The npm
// package uws-pack repackages the same uWebSockets.js binaries, so
// package.json beside this file overrides the dependency with it, and this
// script then adds the CommonJS entry point soketi's `require` needs
// (uws-pack is ESM-only).
//
// Idempotent: a stamp file records what was installed; when it matches, the
// script checks the binary still loads and exits in well under a second.
//
// Usage: node scripts/soketi/install.mjs [--dir <path>] [--force]

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
/** Bump when the patching below changes, so existing installs are redone. */
const PATCH_VERSION = "1";

function parseArgs(argv) {
  const args = { dir: join(repoRoot, ".soketi"), force: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dir") args.dir = resolve(argv[++i] ?? "");
    else if (argv[i] === "--force") args.force = true;
    else fail(`unknown argument ${argv[i]}`);
  }
  return args;
}

function fail(message) {
  console.error(`soketi install: ${message}`);
  process.exit(1);
}

function stampFor() {
  const hash = createHash("sha256");
  hash.update(readFileSync(join(here, "package.json")));
  hash.update(readFileSync(join(here, "package-lock.json")));
  hash.update(PATCH_VERSION);
  hash.update(`${process.platform}-${process.arch}-${process.versions.modules}`);
  return hash.digest("hex");
}

/** The CommonJS entry soketi requires, loading uws-pack's binary for this Node. */
function patchUws(dir) {
  const uwsDir = join(dir, "node_modules", "uWebSockets.js");
  const manifestPath = join(uwsDir, "package.json");
  if (!existsSync(manifestPath)) fail(`${uwsDir} is missing after npm ci (the uws-pack override did not apply)`);
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  if (!existsSync(join(uwsDir, "dist", "bin", binary))) {
    fail(
      `uws-pack has no uWebSockets.js binary for this platform (${binary}); ` +
        "it ships Linux/macOS/Windows builds for Node 18, 20, 21 and 22 only",
    );
  }
  writeFileSync(
    join(uwsDir, "uws.cjs"),
    "// Added by scripts/soketi/install.mjs: a CommonJS entry for soketi's require().\n" +
      "module.exports = require(`./dist/bin/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);\n",
  );
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  delete manifest.type;
  manifest.main = "./uws.cjs";
  manifest.exports = { ".": { require: "./uws.cjs", import: "./dist/index.mjs", types: "./dist/index.d.mts" } };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Loads the binary and soketi's server module in a child, as the tests will. */
function verify(dir) {
  const probe = spawnSync(
    process.execPath,
    ["-e", "require('uWebSockets.js'); require('@soketi/soketi/dist/server.js'); console.log('ok')"],
    { cwd: dir, encoding: "utf8", timeout: 60_000 },
  );
  if (probe.status !== 0 || !probe.stdout.includes("ok")) {
    return `soketi does not load: ${(probe.stderr || probe.stdout || "").trim().split("\n").slice(-3).join(" | ")}`;
  }
  return null;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const stampPath = join(args.dir, ".installed");
  const stamp = stampFor();
  const started = Date.now();

  if (!args.force && existsSync(stampPath) && readFileSync(stampPath, "utf8").trim() === stamp) {
    const problem = verify(args.dir);
    if (problem === null) {
      console.log(`soketi install: already installed in ${args.dir} (${Date.now() - started} ms)`);
      return;
    }
    console.log(`soketi install: existing install is broken (${problem}); reinstalling`);
  }

  rmSync(args.dir, { recursive: true, force: true });
  mkdirSync(args.dir, { recursive: true });
  copyFileSync(join(here, "package.json"), join(args.dir, "package.json"));
  copyFileSync(join(here, "package-lock.json"), join(args.dir, "package-lock.json"));
  console.log(`soketi install: npm ci in ${args.dir} (about 300 packages, ~300 MB)...`);
  // --ignore-scripts: no dependency needs one to work (msgpackr-extract is an
  // optional native speed-up with a JS fallback; aws-sdk's only prints a notice).
  const npm = spawnSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: args.dir,
    stdio: "inherit",
    timeout: 15 * 60_000,
  });
  if (npm.error) fail(`could not run npm: ${npm.error.message}`);
  if (npm.status !== 0) fail(`npm ci failed with exit code ${npm.status} (is the npm registry reachable?)`);

  patchUws(args.dir);
  const problem = verify(args.dir);
  if (problem !== null) fail(problem);
  writeFileSync(stampPath, `${stamp}\n`);
  console.log(`soketi install: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
