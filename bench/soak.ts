// `npm run soak [-- --messages 1000] [--seed N] [--model-seeds 50]`: the soaks
// of docs/reliability.md, the same code as the short ones CI runs, printing
// their rows of its table. First the model-based soak in Jest
// (__tests__/unit/soak: --model-seeds seeds of --messages messages each; 0
// leaves it out), then the Chromium soak (__tests__/e2e/soak.test.ts at
// --messages messages, seeded by --seed or SOAK_SEED).
import { spawnSync } from "node:child_process";
import { ensureBuild } from "../__tests__/e2e/support/build";
import { reportRow, REPORT_HEADER, runSoak } from "../__tests__/e2e/support/soak/run";
import { soakSeed } from "../__tests__/e2e/support/soak/rng";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** Runs the Jest model soak; its row of the table, or the failure. */
function modelSoak(seeds: number, messages: number): { row: string | null; ok: boolean } {
  console.log(`model soak: ${seeds} seeds × ${messages} messages in Jest…`);
  const started = Date.now();
  const run = spawnSync("npx", ["jest", "__tests__/unit/soak/delivery-soak.test.ts", "--selectProjects", "unit", "-t", "model-based delivery soak"], {
    env: { ...process.env, SOAK_SEEDS: String(seeds), SOAK_MESSAGES: String(messages), SOAK_LONG: "0" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${run.stdout}\n${run.stderr}`;
  const row = out.split("\n").map((l) => l.trim()).find((l) => l.startsWith("| Model (Jest)")) ?? null;
  console.log(`model soak: ${run.status === 0 ? "passed" : "FAILED"} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (run.status !== 0) console.error(out.split("\n").slice(-80).join("\n"));
  return { row, ok: run.status === 0 };
}

async function main(): Promise<void> {
  const messages = Number(option("messages") ?? 1000);
  if (!Number.isInteger(messages) || messages < 20) throw new RangeError("--messages takes an integer of at least 20");
  const modelSeeds = Number(option("model-seeds") ?? 50);
  if (!Number.isInteger(modelSeeds) || modelSeeds < 0) throw new RangeError("--model-seeds takes an integer of at least 0");
  const seed = soakSeed(option("seed") ?? process.env.SOAK_SEED);

  const model = modelSeeds > 0 ? modelSoak(modelSeeds, messages) : { row: null, ok: true };

  ensureBuild("stderr");
  const scale = messages / 1000;
  const report = await runSoak(
    {
      seed,
      messages,
      cuts: Math.max(1, Math.round(20 * scale)),
      reloads: Math.max(1, Math.round(15 * scale)),
      freezes: Math.max(1, Math.round(5 * scale)),
      homeKills: Math.max(1, Math.round(3 * scale)),
      serverRestarts: Math.max(1, Math.round(2 * scale)),
      downMs: 10_000,
      settleMs: 300_000,
    },
    (line) => console.log(line),
  );
  const rows = [model.row, reportRow(`Chromium soak, ${messages} messages`, report, `npm run soak -- --messages ${messages} --seed ${seed} --model-seeds 0`)].filter(Boolean);
  console.log(`\n${REPORT_HEADER}\n${rows.join("\n")}`);
  console.log(`\nChromium soak: ${Math.round(report.durationMs / 1000)} s`);
  if (report.problems.length > 0) console.error(report.problems.join("\n"));
  if (report.problems.length > 0 || !model.ok) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
