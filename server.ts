// The one Node process of an embedded deployment: Next.js and the built-in
// Pusher-protocol signaling server on one port. `npm start` (scripts/start.ts)
// prepares secrets and the build, then calls startServer().
import { createServer, type IncomingMessage, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import type { Duplex } from "node:stream";
import next from "next";
import { createAdapterFactory, parseDatabaseUrl } from "./lib/db/adapter";
import { applyMigrations } from "./lib/db/migrate";
import { readMigrations } from "./lib/db/migrations";
import { env, usesBuiltinSignaling } from "./lib/env";
import { CLIENT_IP_HEADER } from "./lib/http/headers";
import { announceBuiltinStun } from "./lib/ice/builtin-stun";
import { reachableUrls, urlHost } from "./lib/net/listen-address";
import { createPusherServer, type PusherServer } from "./lib/signaling/server";
import { startStunResponder, type StunResponder } from "./lib/stun/responder";

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

  // First, so a taken UDP port stops the start before anything else is open.
  // On the same address as HTTP: a HOST that keeps the app private keeps STUN private too.
  const stun: StunResponder | null = config.STUN_PORT === "off" ? null : await startStunResponder({ host: config.HOST, port: config.STUN_PORT });
  announceBuiltinStun(stun?.port ?? null);

  const signaling: PusherServer | null = usesBuiltinSignaling(config)
    ? createPusherServer({ app: { id: config.PUSHER_APP_ID, key: config.PUSHER_KEY, secret: config.PUSHER_SECRET } })
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
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (signaling?.handleUpgrade(req, socket, head)) return;
    if (upgradeNext) return void upgradeNext(req, socket, head);
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const shownHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : urlHost(config.HOST);
  const url = `http://${shownHost}:${config.PORT}`;
  console.log(`CommunisP ready on ${url} (${dev ? "development" : "production"}; signaling: ${signaling ? "built-in" : "external"})`);
  console.log(startBanner(config, stun));

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        announceBuiltinStun(null);
        await stun?.close();
        await signaling?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await app.close();
      })();
      return closing;
    },
  };
}

/** Where others reach this server, and what browsers are told about STUN/TURN. */
function startBanner(config: ReturnType<typeof env>, stun: StunResponder | null): string {
  const lines = [`  listening on: ${reachableUrls(config.HOST, config.PORT, networkInterfaces()).join(", ") || "(no network interface is up)"}`];
  if (config.NEXTAUTH_URL) lines.push(`  public URL (NEXTAUTH_URL): ${config.NEXTAUTH_URL}`);
  const stunHost = config.NEXTAUTH_URL ? urlHost(new URL(config.NEXTAUTH_URL).hostname) : "localhost";
  lines.push(stun ? `  STUN: udp ${urlHost(stun.address)}:${stun.port}; browsers use stun:${stunHost}:${stun.port}` : "  STUN: off (STUN_PORT=off)");
  lines.push(config.TURN_URLS ? `  TURN: ${config.TURN_URLS.join(", ")} (credentials minted per device, ${config.TURN_TTL} s)` : "  TURN: none (TURN_URLS unset; see docs/nat.md for when you need it)");
  return lines.join("\n");
}
