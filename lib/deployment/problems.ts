import { usesBuiltinSignaling, type Env } from "../env";
import type { RuntimeMode } from "./runtime";

// Configuration that parses but cannot work, found before the first request
// rather than as a 500 on sign-up. Each problem says what to set and why.

export function serverlessPlatform(e: Env): string | null {
  if (e.VERCEL) return "Vercel";
  if (e.NETLIFY) return "Netlify";
  if (e.AWS_LAMBDA_FUNCTION_NAME) return "AWS Lambda";
  return null;
}

export function deploymentProblems(e: Env, mode: RuntimeMode): string[] {
  const problems: string[] = [];
  if (e.HTTPS && e.NEXTAUTH_URL?.startsWith("http://")) {
    problems.push("HTTPS=1 serves https, but NEXTAUTH_URL is an http:// address: make it https:// (or leave it unset).");
  }
  if (mode === "embedded") return problems;

  if (!e.DATABASE_URL) {
    problems.push("DATABASE_URL is missing. Under `next start` there is no embedded database: set a libSQL/Turso URL (libsql://…, with DATABASE_AUTH_TOKEN), or file:/path/to/communisp.db on a single server.");
  } else if (e.DATABASE_URL.startsWith("file:")) {
    const platform = serverlessPlatform(e);
    if (platform) {
      problems.push(`DATABASE_URL is a file: database, but this runs on ${platform}, where every instance has its own short-lived disk: accounts would vanish and differ between instances. Use a libSQL/Turso database.`);
    }
  }
  if (usesBuiltinSignaling(e)) {
    problems.push("No signaling service: the built-in one runs only under `npm start`. Set PUSHER_CLUSTER (hosted Pusher) or PUSHER_HOST (soketi, sockudo, Reverb), with PUSHER_APP_ID, PUSHER_KEY and PUSHER_SECRET.");
  }
  if (!e.NEXTAUTH_URL) {
    problems.push("NEXTAUTH_URL is missing: set the public address people open (https://…).");
  }
  if (e.HTTPS) {
    problems.push("HTTPS=1 works only with `npm start`. Under `next start`, TLS ends at the platform or at your reverse proxy: unset HTTPS.");
  }
  return problems;
}
