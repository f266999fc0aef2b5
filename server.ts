// The one Node process of an embedded deployment: Next.js and the built-in
// Pusher-protocol signaling server on one port. `npm start` (scripts/start.ts)
// prepares secrets and the build, then calls startServer().
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { networkInterfaces } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import next from "next";
import { createAdapterFactory, parseDatabaseUrl, resolveDatabaseUrl } from "./lib/db/adapter";
import { applyMigrations } from "./lib/db/migrate";
import { readMigrations } from "./lib/db/migrations";
import { deploymentProblems } from "./lib/deployment/problems";
import { markEmbeddedServer } from "./lib/deployment/runtime";
import { env, usesBuiltinSignaling } from "./lib/env";
import { clientAddress } from "./lib/http/forwarded";
import { CLIENT_IP_HEADER } from "./lib/http/headers";
import { announceBuiltinStun } from "./lib/ice/builtin-stun";
import { reachableUrls, urlHost } from "./lib/net/listen-address";
import { createPusherServer, type PusherServer } from "./lib/signaling/server";
import { startStunResponder, type StunResponder } from "./lib/stun/responder";
import { CA_DOWNLOAD_PATH, ensureLocalTls, type LocalTls } from "./lib/tls/local-ca";
import { lanAddresses, serverIdentity } from "./lib/tls/server-identity";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function stampClientAddress(req: IncomingMessage): void {
  // Overwrites whatever a client sent under this name: only the socket is trusted.
  req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress ?? "unknown";
}

/** HTTPS=1: this installation's CA and the server certificate it signs (lib/tls/local-ca.ts). */
function localTls(dataDir: string, host: string, publicUrl: string | undefined): LocalTls {
  const dir = path.join(dataDir, "tls");
  const tls = ensureLocalTls(dir, serverIdentity({ host, publicUrl }));
  const links = lanAddresses()
    .slice(0, 4)
    .map((ip) => `    https://${ip.includes(":") ? `[${ip}]` : ip}:${env().PORT}${CA_DOWNLOAD_PATH}`);
  console.log(
    [
      `[tls] serving https with this installation's own certificate authority (${path.join(dir, "ca.crt")}).`,
      tls.made === "ca" ? "[tls] a NEW CA was made: devices that trusted an earlier one must trust this one instead." : null,
      "[tls] to use CommunisP from a phone or another computer on this network, trust the CA there once:",
      "  download it (your browser will warn once, as the CA is not trusted yet):",
      ...(links.length > 0 ? links : [`    https://localhost:${env().PORT}${CA_DOWNLOAD_PATH}`]),
      `  and check that its SHA-256 fingerprint is ${tls.caFingerprint}`,
    ]
      .filter((line) => line !== null)
      .join("\n"),
  );
  return tls;
}

/** GET /communisp-ca.crt: the CA certificate (public), for other devices to trust. */
function serveCaCertificate(req: IncomingMessage, res: ServerResponse, tls: LocalTls): boolean {
  if (req.url !== CA_DOWNLOAD_PATH || (req.method !== "GET" && req.method !== "HEAD")) return false;
  res.writeHead(200, {
    "Content-Type": "application/x-x509-ca-cert",
    "Content-Disposition": 'attachment; filename="communisp-ca.crt"',
    "Content-Length": tls.caCertDer.length,
    "Cache-Control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : tls.caCertDer);
  return true;
}

export async function startServer(opts: { dev?: boolean } = {}): Promise<RunningServer> {
  markEmbeddedServer();
  const config = env();
  const dev = opts.dev ?? false;
  const problems = deploymentProblems(config, "embedded");
  if (problems.length > 0) throw new Error(`The configuration cannot work:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

  const databaseUrl = resolveDatabaseUrl(config, "embedded");
  const { applied } = await applyMigrations(createAdapterFactory(parseDatabaseUrl(databaseUrl, config.DATABASE_AUTH_TOKEN)), readMigrations());
  if (applied.length > 0) console.log(`[db] applied ${applied.length} migration(s): ${applied.join(", ")}`);

  // First, so a taken UDP port stops the start before anything else is open.
  // On the same address as HTTP: a HOST that keeps the app private keeps STUN private too.
  const stun: StunResponder | null = config.STUN_PORT === "off" ? null : await startStunResponder({ host: config.HOST, port: config.STUN_PORT });
  announceBuiltinStun(stun?.port ?? null);

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

  const tls = config.HTTPS ? localTls(config.DATA_DIR, config.HOST, config.NEXTAUTH_URL) : null;
  const listener: RequestListener = (req, res) => {
    stampClientAddress(req);
    if (tls && serveCaCertificate(req, res, tls)) return;
    if (signaling?.handleHttp(req, res)) return;
    handle(req, res).catch((error: unknown) => {
      console.error("[http] request failed", error instanceof Error ? error.name : error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server: Server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
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
  const shownHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : urlHost(config.HOST);
  const scheme = tls ? "https" : "http";
  const url = `${scheme}://${shownHost}:${config.PORT}`;
  console.log(`CommunisP ready on ${url} (${dev ? "development" : "production"}; signaling: ${signaling ? "built-in" : "external"})`);
  console.log(startBanner(config, scheme, stun));

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
function startBanner(config: ReturnType<typeof env>, scheme: "http" | "https", stun: StunResponder | null): string {
  const lines = [`  listening on: ${reachableUrls(config.HOST, config.PORT, networkInterfaces(), scheme).join(", ") || "(no network interface is up)"}`];
  if (config.NEXTAUTH_URL) lines.push(`  public URL (NEXTAUTH_URL): ${config.NEXTAUTH_URL}`);
  const stunHost = config.NEXTAUTH_URL ? urlHost(new URL(config.NEXTAUTH_URL).hostname) : "localhost";
  lines.push(stun ? `  STUN: udp ${urlHost(stun.address)}:${stun.port}; browsers use stun:${stunHost}:${stun.port}` : "  STUN: off (STUN_PORT=off)");
  lines.push(config.TURN_URLS ? `  TURN: ${config.TURN_URLS.join(", ")} (credentials minted per device, ${config.TURN_TTL} s)` : "  TURN: none (TURN_URLS unset; see docs/nat.md for when you need it)");
  return lines.join("\n");
}
