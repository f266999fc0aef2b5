import "server-only";
import Pusher from "pusher";
import { env, usesBuiltinSignaling, type Env } from "@/lib/env";
import { ApiError } from "@/lib/http/api-error";
import { selfHost } from "@/lib/net/listen-address";

// The server's side of signaling: the official `pusher` REST client, pointed
// at the built-in server (on the address it listens on) or at hosted Pusher/soketi/sockudo/
// Reverb. Route handlers use nothing else, so every deployment behaves alike.

const holder = globalThis as unknown as { communispPusher?: Pusher };

export function restClient(config: Env = env()): Pusher {
  if (holder.communispPusher) return holder.communispPusher;
  const base = { appId: config.PUSHER_APP_ID, key: config.PUSHER_KEY, secret: config.PUSHER_SECRET, timeout: 5_000 };
  let client: Pusher;
  if (usesBuiltinSignaling(config)) {
    // The built-in server shares this process's listener: reach it where it listens.
    client = new Pusher({ ...base, host: selfHost(config.HOST), port: String(config.PORT), useTLS: false });
  } else if (config.PUSHER_HOST) {
    client = new Pusher({ ...base, host: config.PUSHER_HOST, port: config.PUSHER_PORT ? String(config.PUSHER_PORT) : undefined, useTLS: config.PUSHER_USE_TLS ?? true });
  } else {
    client = new Pusher({ ...base, cluster: config.PUSHER_CLUSTER ?? "mt1", useTLS: config.PUSHER_USE_TLS ?? true });
  }
  holder.communispPusher = client;
  return client;
}

// What the browser needs to reach signaling; its own module so proxy.ts (the CSP) can read it without the REST client.
export { clientConfig } from "./client-config";

const unavailable = () => new ApiError(503, "unavailable", "The signaling service cannot be reached. Try again in a moment.");

/** Device ids currently subscribed to a presence channel, via the HTTP API. */
export async function presentDeviceIds(channel: string): Promise<string[]> {
  let response;
  try {
    response = await restClient().get({ path: `/channels/${encodeURIComponent(channel)}/users` });
  } catch {
    throw unavailable();
  }
  if (!response.ok) throw unavailable();
  const body = (await response.json()) as { users?: { id?: unknown }[] };
  return (body.users ?? []).map((u) => u.id).filter((id): id is string => typeof id === "string");
}

export async function triggerEvent(channel: string, event: string, payload: unknown): Promise<void> {
  try {
    const response = await restClient().trigger(channel, event, payload);
    if (!response.ok) throw unavailable();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw unavailable();
  }
}

export function authorizePresence(socketId: string, channel: string, userId: string, userInfo: Record<string, unknown>) {
  return restClient().authorizeChannel(socketId, channel, { user_id: userId, user_info: userInfo });
}

/**
 * Closes the signaling sockets of a presence member (a device), e.g. when the
 * device is revoked. The built-in server closes them at once (Pusher's
 * terminate_connections, applied to presence members); hosted Pusher and
 * soketi apply it only to users of their own sign-in feature, so there a
 * revoked device's socket lasts until it reconnects and is refused.
 */
export async function terminateDeviceConnections(deviceId: string): Promise<void> {
  try {
    await restClient().terminateUserConnections(deviceId);
  } catch {
    console.warn("[signaling] could not close a revoked device's sockets: signaling unavailable");
  }
}
