// Runs once after every project's tests, in Jest's own process. A timer,
// socket or child process a test leaves open keeps that process alive after
// the summary, and CI would wait for it until its time limit. So: if Jest is
// still here a while after the run, fail loudly instead of hanging. The timer
// is unref'd, so it never is the thing that keeps the process alive.
const GRACE_MS = 15_000;

export default async function exitGuard(globalConfig: { watch?: boolean; watchAll?: boolean }): Promise<void> {
  // In watch mode Jest is meant to stay.
  if (globalConfig.watch || globalConfig.watchAll) return;
  setTimeout(() => {
    process.stderr.write(
      `\nJest was still running ${GRACE_MS / 1000} s after the last test: a test left a timer, socket or process open.\n` +
        "Find it with: npx jest --runInBand --detectOpenHandles <test file>\n",
    );
    process.exit(1);
  }, GRACE_MS).unref();
}
