// What the benchmark's client side needs to speak to the server: the app
// credentials, channel signatures and signed HTTP API requests, written out
// by hand so the load generator stays light (no pusher-js at 10,000 sockets).

import { createHash, createHmac } from "node:crypto";
import { request, type Agent } from "node:http";
import type { Socket } from "node:net";

export const BENCH_APP = { id: "bench-app", key: "bench-key", secret: "bench-secret" } as const;

export function channelAuth(socketId: string, channel: string): string {
  return `${BENCH_APP.key}:${createHmac("sha256", BENCH_APP.secret).update(`${socketId}:${channel}`).digest("hex")}`;
}

export interface TriggerResult {
  status: number;
  /**
   * Whether the server accepted the event. Not the status alone: soketi
   * answers every HTTP API error with 200 and puts `{error, code}` in the
   * body (docs/signaling-server.md), so a 200 whose JSON body carries an
   * `error` or a `code` is a refusal too.
   */
  ok: boolean;
  /** The connection it went over, to count connections (soketi closes every one after its answer). */
  socket: Socket | null;
}

/** POST /apps/:id/events, signed as the `pusher` client signs it. */
export function triggerEvent(port: number, agent: Agent, channel: string, name: string, data: string): Promise<TriggerResult> {
  const body = JSON.stringify({ name, channel, data });
  const path = `/apps/${BENCH_APP.id}/events`;
  const query =
    `auth_key=${BENCH_APP.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0` +
    `&body_md5=${createHash("md5").update(body).digest("hex")}`;
  const signature = createHmac("sha256", BENCH_APP.secret).update(`POST\n${path}\n${query}`).digest("hex");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `${path}?${query}&auth_signature=${signature}`,
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve({ status, ok: status === 200 && acceptedBody(text), socket: req.socket });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function acceptedBody(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null && !("error" in parsed) && !("code" in parsed);
  } catch {
    return false;
  }
}
