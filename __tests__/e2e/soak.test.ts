import { reportRow, REPORT_HEADER, runSoak } from "./support/soak/run";
import { soakSeed } from "./support/soak/rng";

// The short soak CI runs on every change: the same code as `npm run soak`
// (1,000 messages), with fewer messages and one or two of each fault. The
// seed is printed; SOAK_SEED=<seed> replays the same run.

jest.setTimeout(600_000);

it("loses nothing and doubles nothing across cuts, reloads, a freeze, a killed home and a server restart", async () => {
  const seed = soakSeed(process.env.SOAK_SEED);
  const lines: string[] = [];
  const report = await runSoak(
    { seed, messages: 60, cuts: 2, reloads: 2, freezes: 1, homeKills: 1, serverRestarts: 1, downMs: 5_000, settleMs: 120_000 },
    (line) => lines.push(line),
  );
  const table = `${REPORT_HEADER}\n${reportRow("CI soak", report, `SOAK_SEED=${seed} npx jest __tests__/e2e/soak.test.ts`)}`;
  console.log(`${lines.join("\n")}\n${table}`);
  expect({ seed, problems: report.problems }).toEqual({ seed, problems: [] });
  expect(report).toMatchObject({ sent: 60, lost: 0, duplicated: 0, ackedNotStored: 0 });
  // Every kind of fault really happened.
  for (const [kind, count] of Object.entries(report.injected)) expect([kind, count > 0]).toEqual([kind, true]);
});
