// The Hrana stand-in as a process of its own, for walkthroughs where other
// processes (several `next start` instances) share one database:
//
//   npx tsx __tests__/support/hrana/main.ts --file ./hosted.db [--token SECRET]
//
// It prints one JSON line, {"url":"http://127.0.0.1:PORT"}, once it listens
// (the port is picked at run time), and closes on SIGTERM or SIGINT.
import { parseArgs } from "node:util";
import { startHranaServer } from "../hrana-server";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { file: { type: "string" }, token: { type: "string" } }, strict: true });
  if (!values.file) throw new RangeError("--file <path of the SQLite file to serve> is required");
  const server = await startHranaServer({ file: values.file, authToken: values.token });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`hrana stand-in: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
