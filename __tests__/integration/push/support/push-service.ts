import { Agent, createServer, type Server } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { selfSignedCertificate } from "./self-signed-cert";

// A loopback HTTPS server standing in for a push service (FCM, Mozilla's
// autopush): it keeps every request it gets and answers 201 Created, or
// whatever status a test sets for one path (410 Gone, 500, ...). The app
// reaches it through an HTTPS agent that trusts its throwaway certificate.

export interface ReceivedPush {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface PushServiceStandIn {
  /** https://127.0.0.1:<port> */
  origin: string;
  endpoint(name: string): string;
  /** Trusts this server's certificate (and only that): for configurePush({ agent }). */
  agent: Agent;
  /** The certificate, PEM (e.g. for NODE_EXTRA_CA_CERTS of a separate app process). */
  cert: string;
  received(): ReceivedPush[];
  respondWith(path: string, status: number): void;
  /** Forgets requests and per-path answers. */
  reset(): void;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushServiceStandIn> {
  const { cert, key } = selfSignedCertificate();
  const log: ReceivedPush[] = [];
  const answers = new Map<string, number>();
  const sockets = new Set<Socket>();

  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "";
      log.push({ method: req.method ?? "", path, headers: req.headers, body: Buffer.concat(chunks) });
      const status = answers.get(path) ?? 201;
      res.writeHead(status, status === 201 ? { Location: `${path}/message` } : {}).end();
    });
  });
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  const agent = new Agent({ ca: cert, keepAlive: false });

  return {
    origin,
    endpoint: (name) => `${origin}/push/${name}`,
    agent,
    cert,
    received: () => [...log],
    respondWith: (path, status) => void answers.set(path, status),
    reset: () => {
      log.length = 0;
      answers.clear();
    },
    close: async () => {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
