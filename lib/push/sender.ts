import "server-only";
import { lookup as dnsLookup } from "node:dns/promises";
import { Agent } from "node:https";
import type { LookupFunction } from "node:net";
import webpush from "web-push";
import { env } from "@/lib/env";
import { allowedEndpoint, isPublicAddress, parseAllowedHosts } from "./endpoint-policy";
import type { VapidDetails } from "./vapid";

// One Web Push request (RFC 8030 + 8291 aes128gcm + 8292 VAPID), by the
// `web-push` package, reduced to the outcomes the caller acts on. Before any
// byte is sent the endpoint is checked again (lib/push/endpoint-policy.ts)
// and the connection is pinned to the address that passed the check.

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * sent: accepted (2xx). gone: 404/410, the subscription is dead. refused: the
 * endpoint is not one the server may fetch (it is deleted like a gone one).
 * failed: anything else, retried next ping.
 */
export type PushOutcome = "sent" | "gone" | "refused" | "failed";

export interface PushMessageOptions {
  ttlSec: number;
  urgency: "very-low" | "low" | "normal" | "high";
  /** Push services keep only the newest queued message with the same topic. */
  topic: string;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

interface PushTransport {
  /** Extra certificate authority to trust (a test's stand-in push service); production uses Node's CAs. */
  ca?: string;
  timeoutMs: number;
  resolve: Resolver;
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });
const DEFAULT_TRANSPORT: PushTransport = { timeoutMs: 10_000, resolve: systemResolver };
// On globalThis, like the other per-process singletons, so dev reloads keep it.
const holder = globalThis as unknown as { communispPushTransport?: PushTransport };
const transport = () => holder.communispPushTransport ?? DEFAULT_TRANSPORT;

/** Sets how push requests travel (extra CA, socket timeout, DNS resolver); omitted fields reset to the defaults. */
export function configurePush(config: { ca?: string; timeoutMs?: number; resolve?: Resolver } = {}): void {
  holder.communispPushTransport = { ...DEFAULT_TRANSPORT, ...config };
}

/** A lookup that answers every question with the one address already checked. */
export function pinnedLookup(address: string, family: number): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

/** The address to connect to for an endpoint, or null when the server must not fetch it. */
export async function checkedDestination(endpoint: string, resolve: Resolver = transport().resolve): Promise<{ address: string; family: number } | null> {
  const allowed = allowedEndpoint(endpoint, parseAllowedHosts(env().PUSH_ALLOWED_HOSTS));
  if (!allowed) return null;
  if (allowed.rule.isAddress) return { address: allowed.hostname, family: allowed.hostname.includes(":") ? 6 : 4 };
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolve(allowed.hostname);
  } catch {
    return null;
  }
  // Every address must be public: a name with one private answer is refused outright.
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) return null;
  return addresses[0]!;
}

export async function sendPush(target: PushTarget, payload: string, vapid: VapidDetails, options: PushMessageOptions): Promise<PushOutcome> {
  const { ca, timeoutMs, resolve } = transport();
  const destination = await checkedDestination(target.endpoint, resolve);
  if (!destination) return "refused";
  const agent = new Agent({ lookup: pinnedLookup(destination.address, destination.family), keepAlive: false, ...(ca ? { ca } : {}) });
  try {
    await webpush.sendNotification({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
      vapidDetails: vapid,
      TTL: options.ttlSec,
      urgency: options.urgency,
      topic: options.topic,
      contentEncoding: "aes128gcm",
      timeout: timeoutMs,
      agent,
    });
    return "sent";
  } catch (error) {
    // Neither the endpoint (a bearer capability) nor the error text (which
    // echoes it) is logged.
    if (error instanceof webpush.WebPushError && (error.statusCode === 404 || error.statusCode === 410)) return "gone";
    return "failed";
  } finally {
    agent.destroy();
  }
}
