// Route-handler tests run the real handlers in-process against a real SQLite
// file: this points the app's configuration at a fresh one before any module
// reads it, and migrates it the way server start does. `useDatabaseOver`
// can put the Hrana stand-in in front of that file, so the same cases also
// run over libSQL's HTTP protocol, as on a hosted deployment.
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { createAdapterFactory, parseDatabaseUrl } from "@/lib/db/adapter";
import { applyMigrations } from "@/lib/db/migrate";
import { readMigrations } from "@/lib/db/migrations";
import { CLIENT_IP_HEADER } from "@/lib/http/headers";
import { startHranaServer, type HranaServer } from "./hrana-server";
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
    PUSHER_APP_ID: "1",
    PUSHER_KEY: "test-key",
    PUSHER_SECRET: "test-secret",
    VAPID_PUBLIC_KEY: "unused-in-these-tests",
    VAPID_PRIVATE_KEY: "unused-in-these-tests",
  });
  return { url, cleanup: temp.remove };
}

export async function migrate(url: string, authToken?: string): Promise<void> {
  await applyMigrations(createAdapterFactory(parseDatabaseUrl(url, authToken)), readMigrations());
}

/**
 * How the app reaches its database: `file` opens SQLite in-process (the
 * embedded default); `hrana` goes over libSQL's HTTP protocol, as the hosted
 * deployment does, to the stand-in server (hrana-server.ts) serving the same
 * kind of file, with a bearer token as DATABASE_AUTH_TOKEN.
 */
export type DatabaseTransport = "file" | "hrana";
export const DATABASE_TRANSPORTS: DatabaseTransport[] = ["file", "hrana"];

export interface TransportDatabase {
  /** The DATABASE_URL the app uses; known once `ready()` resolved. */
  readonly url: string;
  /** Starts the server if any, points the configuration at it and migrates through it. Call before loading app modules. */
  ready(): Promise<void>;
  /** Hrana pipeline requests the stand-in answered (always 0 for `file`): proof the app went over HTTP. */
  pipelinesServed(): number;
  cleanup(): Promise<void>;
}

export function useDatabaseOver(transport: DatabaseTransport): TransportDatabase {
  const database = useTestDatabase();
  let server: HranaServer | undefined;
  let url = database.url;
  return {
    get url() {
      return url;
    },
    async ready() {
      if (transport === "hrana") {
        const authToken = randomBytes(24).toString("base64url");
        server = await startHranaServer({ file: database.url.slice("file:".length), authToken });
        url = server.url;
        Object.assign(process.env, { DATABASE_URL: url, DATABASE_AUTH_TOKEN: authToken });
        await migrate(url, authToken);
      } else await migrate(url);
    },
    pipelinesServed: () => server?.pipelinesServed() ?? 0,
    async cleanup() {
      await server?.close();
      database.cleanup();
    },
  };
}

/** A real next-auth session cookie, as the credentials login would set it. */
export async function sessionCookie(claims: { userId: string; nickname: string; deviceId?: string }): Promise<string> {
  const token = await encode({ secret: TEST_SECRET, token: { sub: claims.userId, nickname: claims.nickname, ...(claims.deviceId ? { deviceId: claims.deviceId } : {}) } });
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
