// Route-handler tests run the real handlers in-process against a real SQLite
// file: this points the app's configuration at a fresh one before any module
// reads it, and migrates it the way server start does.
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { applyMigrations } from "@/lib/db/migrate";
import { readMigrations } from "@/lib/db/migrations";
import { CLIENT_IP_HEADER } from "@/lib/http/headers";
import { makeTempDir } from "./temp-dir";

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123456789";

export function useTestDatabase(): { url: string; cleanup: () => void } {
  const temp = makeTempDir("routes");
  const url = `file:${temp.dir}/test.db`;
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: url,
    DATA_DIR: temp.dir,
    NEXTAUTH_SECRET: TEST_SECRET,
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    // The built-in signaling server is not running in these tests: best-effort
    // notices (device added, revoked) fail at once on a port nothing listens on.
    PORT: "1",
    PUSHER_APP_ID: "1",
    PUSHER_KEY: "test-key",
    PUSHER_SECRET: "test-secret",
    VAPID_PUBLIC_KEY: "unused-in-these-tests",
    VAPID_PRIVATE_KEY: "unused-in-these-tests",
  });
  return { url, cleanup: temp.remove };
}

export async function migrate(url: string): Promise<void> {
  await applyMigrations(createAdapterFactory(parseDatabaseUrl(url)), readMigrations());
}

/**
 * A real session, as the credentials login makes one: a server-side session
 * row (bound to `deviceId` when given, as binding would) and next-auth's
 * cookie naming it. Call after migrate().
 */
export async function sessionCookie(claims: { userId: string; nickname: string; deviceId?: string }): Promise<string> {
  const { createSession, hashSessionId } = require("@/lib/auth/sessions") as typeof import("@/lib/auth/sessions");
  const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
  const sid = await createSession(claims.userId);
  if (claims.deviceId) await db().session.update({ where: { idHash: hashSessionId(sid) }, data: { deviceId: claims.deviceId } });
  const token = await encode({ secret: TEST_SECRET, token: { sub: claims.userId, nickname: claims.nickname, sid } });
  return `next-auth.session-token=${token}`;
}

let ipCounter = 0;
/** Each call a different client address, so rate limits do not leak between cases. */
export const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

export function request(
  method: string,
  path: string,
  opts: { json?: unknown; body?: string; cookie?: string; ip?: string; contentType?: string; headers?: Record<string, string> } = {},
): NextRequest {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: opts.ip ?? freshIp(), ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined = opts.body;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  if (body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
  return new NextRequest(new URL(path, "http://127.0.0.1:3999"), { method, headers, body });
}

export const params = <T>(value: T) => ({ params: Promise.resolve(value) });
