// Loads lib/crypto the way a browser runs it: bundled as one ES module (as
// Next does), so calls between @noble/hashes modules are direct. Run through
// tsx's on-the-fly CommonJS transform instead, every cross-module call in
// noble goes through an export getter and hashing is several times slower,
// which would measure the loader, not the protocol.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as direct from "../../lib/crypto/index";

export type CryptoApi = typeof direct;

export async function loadOurs(): Promise<{ api: CryptoApi; mode: string }> {
  const root = resolve(__dirname, "..", "..");
  const outdir = join(root, "bench", ".work");
  try {
    const esbuild = await import("esbuild");
    mkdirSync(outdir, { recursive: true });
    const outfile = join(outdir, "lib-crypto.bundle.mjs");
    await esbuild.build({
      entryPoints: [join(root, "lib", "crypto", "index.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      outfile,
      logLevel: "silent",
    });
    const api = (await import(pathToFileURL(outfile).href)) as CryptoApi;
    return { api, mode: "esbuild ESM bundle (as shipped to browsers)" };
  } catch (e) {
    const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return { api: direct, mode: `tsx transform, unbundled (bundling failed: ${reason})` };
  }
}
