// The official clients, pointed at a target by host/port only: pusher-js
// (Node build) for the browser side, `pusher` for the app server's REST side.
// Channel authorization is signed with the `pusher` package itself, the way
// the app's auth endpoint will, and only for channels the test allows.

import { createHash, createHmac } from "node:crypto";
import Pusher from "pusher";
import PusherJs from "pusher-js";
import type { Target } from "./targets";

export type PusherJsClient = InstanceType<typeof PusherJs>;

export interface AuthPolicy {
  /** Which channels this client's "auth endpoint" agrees to sign. */
  allow: (channel: string) => boolean;
  /** Presence identity signed into channel_data. */
  presence?: { userId: string; info: Record<string, unknown> };
}

export function restClient(target: Target, secret = target.app.secret): Pusher {
  return new Pusher({
    appId: target.app.id,
    key: target.app.key,
    secret,
    host: "127.0.0.1",
    port: String(target.port),
    useTLS: false,
  });
}

export function connectPusherJs(target: Target, policy: AuthPolicy): Promise<PusherJsClient> {
  const signer = restClient(target);
  const client = new PusherJs(target.app.key, {
    cluster: "local",
    wsHost: "127.0.0.1",
    wsPort: target.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        if (!policy.allow(channelName)) {
          setImmediate(() => callback(new Error(`not allowed to join ${channelName}`), null));
          return;
        }
        const presence = channelName.startsWith("presence-") && policy.presence
          ? { user_id: policy.presence.userId, user_info: policy.presence.info }
          : undefined;
        // Answer asynchronously, as a real auth endpoint does.
        setImmediate(() => callback(null, signer.authorizeChannel(socketId, channelName, presence)));
      },
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.disconnect();
      reject(new Error(`pusher-js did not connect; state ${client.connection.state}`));
    }, 5000);
    client.connection.bind("connected", () => {
      clearTimeout(timer);
      resolve(client);
    });
  });
}

/** Resolves with the first payload of `event` on a pusher-js channel. */
export function nextOn<T = unknown, R = T>(
  channel: { bind: (e: string, cb: (d: T) => void) => unknown },
  event: string,
  /** Copies what is needed at once: pusher-js mutates some payloads (Members) later. */
  snapshot: (data: T) => R = (data) => data as unknown as R,
  timeoutMs = 3000,
): Promise<R> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    channel.bind(event, (data: T) => {
      clearTimeout(timer);
      resolve(snapshot(data));
    });
  });
}

/** Signs channel auth by hand, for forged cases (`pusher` would refuse to mis-sign). */
export function signChannel(secret: string, key: string, socketId: string, channel: string, channelData?: string): string {
  const payload = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${key}:${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * An HTTP API answer: the status on the wire, and the status the server
 * meant (a numeric `code` in a JSON error body, else the wire status).
 */
export type RestOutcome = {
  status: number;
  intendedStatus: number;
};

export function outcome(res: RawResponse): RestOutcome {
  let intended = res.status;
  try {
    const body = JSON.parse(res.body) as { code?: unknown };
    if (typeof body.code === "number" && body.code >= 100 && body.code < 600) intended = body.code;
  } catch {
    // text body: the wire status is the intended one
  }
  return { status: res.status, intendedStatus: intended };
}

/** Outcome of a `pusher` client call, whether it resolved or threw a RequestError. */
export async function outcomeOf(call: Promise<{ status: number; text(): Promise<string> }>): Promise<RestOutcome> {
  try {
    const res = await call;
    return outcome({ status: res.status, body: await res.text() });
  } catch (err) {
    const { status, body } = err as { status?: number; body?: string };
    if (typeof status !== "number") throw err;
    return outcome({ status, body: body ?? "" });
  }
}

/**
 * A REST request signed by hand, so a test can choose the timestamp or body
 * (the `pusher` client always signs correctly and freshly).
 */
export async function signedRequest(
  target: Target,
  method: "GET" | "POST",
  path: string,
  opts: { body?: string; timestamp?: number; secret?: string; params?: Record<string, string> } = {},
): Promise<RawResponse> {
  const params: Record<string, string> = {
    auth_key: target.app.key,
    auth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: "1.0",
    ...opts.params,
  };
  if (opts.body !== undefined) params.body_md5 = createHash("md5").update(opts.body).digest("hex");
  const query = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
  const signature = createHmac("sha256", opts.secret ?? target.app.secret)
    .update(`${method}\n${path}\n${query}`)
    .digest("hex");
  const res = await fetch(`http://127.0.0.1:${target.port}${path}?${query}&auth_signature=${signature}`, {
    method,
    body: opts.body,
    headers: opts.body === undefined ? {} : { "content-type": "application/json" },
  });
  return { status: res.status, body: await res.text() };
}

/** Status of a `pusher` client call: 200, or the HTTP status of its RequestError. */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    const res = (await call) as { status?: number };
    return res.status ?? 200;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (typeof status !== "number") throw err;
    return status;
  }
}
