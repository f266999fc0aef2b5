// Next.js calls register() once per server instance before the first request.
// Hosted instances (`next start`, serverless) check their configuration and
// database here; under `npm start`, server.ts already has.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkStartup } = await import("./lib/deployment/startup");
  await checkStartup();
}
