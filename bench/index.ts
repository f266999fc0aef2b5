// `npm run bench [-- options]`: every benchmark of the project, each printing
// its figures beside a named baseline measured in the same run.
//
//   --only crypto,kdf,signaling,chat,relay   run some parts (default: all)
//   --connections N                      signaling: concurrent connections (default 2,000)
//   --quick                              shorter runs (noisier figures)
//   --json                               one JSON object with every part's report
import { runChatBench } from "./chat";
import { runCryptoBench } from "./crypto";
import { printKdfReport, runKdfBench } from "./kdf";
import { runRelayBench } from "./relay";
import { runSignalingBench } from "./signaling";

type Part = "crypto" | "kdf" | "signaling" | "chat" | "relay";
const PARTS: Part[] = ["crypto", "kdf", "signaling", "chat", "relay"];

function parseArgs(argv: string[]) {
  const opts = { only: PARTS, connections: undefined as number | undefined, quick: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json") opts.json = true;
    else if (flag === "--quick") opts.quick = true;
    else if (flag === "--connections") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error("--connections needs a positive integer");
      opts.connections = n;
    } else if (flag === "--only") {
      const wanted = (argv[++i] ?? "").split(",").filter(Boolean);
      const unknown = wanted.filter((p) => !PARTS.includes(p as Part));
      if (unknown.length > 0 || wanted.length === 0) throw new Error(`--only takes a comma-separated list of ${PARTS.join(", ")}`);
      opts.only = wanted as Part[];
    } else throw new Error(`unknown option ${flag}; see the comment at the top of bench/index.ts`);
  }
  return opts;
}

/** With --json, the parts' own tables go to stderr so stdout holds one JSON object. */
async function part<T>(json: boolean, run: () => Promise<T>): Promise<T> {
  if (!json) return run();
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  try {
    return await run();
  } finally {
    console.log = log;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const reports: Record<string, unknown> = {};
  if (opts.only.includes("crypto")) reports.crypto = await part(opts.json, () => runCryptoBench({ quick: opts.quick }));
  if (opts.only.includes("kdf")) {
    reports.kdf = await part(opts.json, async () => {
      const report = await runKdfBench({ quick: opts.quick });
      printKdfReport(report);
      return report;
    });
  }
  if (opts.only.includes("signaling")) {
    reports.signaling = await part(opts.json, () => runSignalingBench({ connections: opts.connections, durationSec: opts.quick ? 2 : undefined }));
  }
  if (opts.only.includes("chat")) reports.chat = await part(opts.json, () => runChatBench({ quick: opts.quick }));
  if (opts.only.includes("relay")) reports.relay = await part(opts.json, () => runRelayBench({ quick: opts.quick }));
  if (opts.json) console.log(JSON.stringify(reports));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
