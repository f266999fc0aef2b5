// The one Node process of an embedded deployment: Next.js and the built-in
// Pusher-protocol signaling server on one port. `npm start` (scripts/start.ts)
// prepares secrets and the build, then calls startServer().
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import next from "next";
import { createAdapterFactory, parseDatabaseUrl } from "./lib/db/adapter";
import { applyMigrations } from "./lib/db/migrate";
import { readMigrations } from "./lib/db/migrations";
import { env, usesBuiltinSignaling } from "./lib/env";
import { clientAddress } from "./lib/http/forwarded";
import { CLIENT_IP_HEADER } from "./lib/http/headers";
import { createPusherServer, type PusherServer } from "./lib/signaling/server";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function stampClientAddress(req: IncomingMessage): void {
  // Overwrites whatever a client sent under this name: only the socket is trusted.
  req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? "unknown";
}

export async function startServer(opts: { dev?: boolean } = {}): Promise<RunningServer> {
  const config = env();
  const dev = opts.dev ?? false;

  const { applied } = await applyMigrations(createAdapterFactory(parseDatabaseUrl(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN)), readMigrations());
  if (applied.length > 0) console.log(`[db] applied ${applied.length} migration(s): ${applied.join(", ")}`);

  const signaling: PusherServer | null = usesBuiltinSignaling(config)
    ? createPusherServer({
        app: { id: config.PUSHER_APP_ID, key: config.PUSHER_KEY, secret: config.PUSHER_SECRET },
        // Only the app's own pages may open sockets; one address may hold a bounded share (docs/security.md).
        allowedOrigins: config.NEXTAUTH_URL ? [new URL(config.NEXTAUTH_URL).origin] : undefined,
        clientAddress: (req) => clientAddress(req.socket.remoteAddress ?? "unknown", req.headers["x-forwarded-for"]?.toString(), config.TRUST_PROXY),
        ...(config.SIGNALING_MAX_CONNECTIONS_PER_IP ? { maxConnectionsPerAddress: config.SIGNALING_MAX_CONNECTIONS_PER_IP } : {}),
      })
    : null;

  const app = next({ dev, dir: process.cwd(), hostname: config.HOST, port: config.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgradeNext = dev ? app.getUpgradeHandler() : null;

  const server: Server = createServer((req, res) => {
    stampClientAddress(req);
    if (signaling?.handleHttp(req, res)) return;
    handle(req, res).catch((error: unknown) => {
      console.error("[http] request failed", error instanceof Error ? error.name : error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // Bounded time for a whole request (Node's default is 5 minutes), so slow bodies cannot hold sockets.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (signaling?.handleUpgrade(req, socket, head)) return;
    if (upgradeNext) return void upgradeNext(req, socket, head);
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const shownHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  const url = `http://${shownHost}:${config.PORT}`;
  console.log(`CommunisP ready on ${url} (${dev ? "development" : "production"}; signaling: ${signaling ? "built-in" : "external"})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await signaling?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await app.close();
      })();
      return closing;
    },
  };
}
