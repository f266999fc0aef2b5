import "server-only";
import type { Agent } from "node:https";
import webpush from "web-push";
import type { VapidDetails } from "./vapid";

// One Web Push request (RFC 8030 + 8291 aes128gcm + 8292 VAPID), by the
// `web-push` package, reduced to the three outcomes the caller acts on.

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** sent: accepted (2xx). gone: 404/410, the subscription is dead. failed: anything else, retried next ping. */
export type PushOutcome = "sent" | "gone" | "failed";

export interface PushMessageOptions {
  ttlSec: number;
  urgency: "very-low" | "low" | "normal" | "high";
  /** Push services keep only the newest queued message with the same topic. */
  topic: string;
}

interface PushTransport {
  /** Only for trusting a test's own certificate; production uses Node's default agent and CAs. */
  agent?: Agent;
  timeoutMs: number;
}

const DEFAULT_TRANSPORT: PushTransport = { timeoutMs: 10_000 };
// On globalThis, like the other per-process singletons, so dev reloads keep it.
const holder = globalThis as unknown as { communispPushTransport?: PushTransport };
const transport = () => holder.communispPushTransport ?? DEFAULT_TRANSPORT;

/** Sets how push requests travel (HTTPS agent, socket timeout); omitted fields reset to the defaults. */
export function configurePush(config: { agent?: Agent; timeoutMs?: number } = {}): void {
  holder.communispPushTransport = { ...DEFAULT_TRANSPORT, ...config };
}

export async function sendPush(target: PushTarget, payload: string, vapid: VapidDetails, options: PushMessageOptions): Promise<PushOutcome> {
  const { agent, timeoutMs } = transport();
  try {
    await webpush.sendNotification({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
      vapidDetails: vapid,
      TTL: options.ttlSec,
      urgency: options.urgency,
      topic: options.topic,
      contentEncoding: "aes128gcm",
      timeout: timeoutMs,
      ...(agent ? { agent } : {}),
    });
    return "sent";
  } catch (error) {
    // Neither the endpoint (a bearer capability) nor the error text (which
    // echoes it) is logged.
    if (error instanceof webpush.WebPushError && (error.statusCode === 404 || error.statusCode === 410)) return "gone";
    return "failed";
  }
}
