// `npm run soak [-- --messages 1000] [--seed N]`: the full Chromium soak of
// docs/reliability.md, the same code as the short one CI runs
// (__tests__/e2e/soak.test.ts), printing its row of the table.
import { ensureBuild } from "../__tests__/e2e/support/build";
import { reportRow, REPORT_HEADER, runSoak } from "../__tests__/e2e/support/soak/run";
import { soakSeed } from "../__tests__/e2e/support/soak/rng";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const messages = Number(option("messages") ?? 1000);
  if (!Number.isInteger(messages) || messages < 20) throw new RangeError("--messages takes an integer of at least 20");
  const seed = soakSeed(option("seed") ?? process.env.SOAK_SEED);
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
  console.log(`\n${REPORT_HEADER}\n${reportRow(`Chromium soak, ${messages} messages`, report, `npm run soak -- --messages ${messages} --seed ${seed}`)}`);
  console.log(`\n${Math.round(report.durationMs / 1000)} s`);
  if (report.problems.length > 0) {
    console.error(report.problems.join("\n"));
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
