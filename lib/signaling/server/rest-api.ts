// The Pusher HTTP API subset the app needs: publish events (single and
// batch) and read channel state, every request signed per the protocol
// (auth_key, auth_timestamp, auth_version, body_md5, auth_signature).
// Order of checks: route -> app -> body size -> signature -> body shape, so
// unauthenticated callers learn nothing about what a valid body looks like.

import type { IncomingMessage, ServerResponse } from "node:http";
import { md5Hex, restStringToSign, hmacSha256Hex, safeEqual } from "./auth-signature";
import { channelKind, channelNameProblem } from "./channels";
import type { Hub } from "./hub";
import { CloseCode, pusherErrorFrame, RestError } from "./protocol-errors";

const ROUTE = /^\/apps\/([^/]+)\/(events|batch_events|channels)(?:\/([^/]+)(?:\/(users))?)?\/?$/;
const TERMINATE_ROUTE = /^\/apps\/([^/]+)\/users\/([^/]+)\/terminate_connections\/?$/;
const SOCKET_ID = /^\d+\.\d+$/;

interface TriggerEvent {
  name: string;
  data: string;
  channels: string[];
  socketId?: string;
}

export function isRestPath(url: string | undefined): boolean {
  return typeof url === "string" && url.startsWith("/apps/");
}

export function handleRest(hub: Hub, req: IncomingMessage, res: ServerResponse): void {
  serve(hub, req, res).catch((err: unknown) => {
    if (err instanceof RestError) {
      reply(res, err.status, err.message);
      if (err.status === 401) hub.logger.warn("signaling: refused HTTP API request", { code: err.code });
      return;
    }
    hub.logger.warn("signaling: HTTP API handler failed", { error: err instanceof Error ? err.message : String(err) });
    reply(res, 500, "Internal error");
  });
}

async function serve(hub: Hub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1));
  const terminate = TERMINATE_ROUTE.exec(path);
  if (terminate) return serveTerminate(hub, req, res, path, query, terminate[1]!, terminate[2]!);
  const match = ROUTE.exec(path);
  if (!match) throw new RestError(404, "not_found", "Not found");
  const [, appId, resource, channelSegment, usersSegment] = match;
  if (appId !== hub.app.id) throw new RestError(404, "unknown_app", `Unknown app ${String(appId).slice(0, 64)}`);

  const method = req.method ?? "GET";
  const isPost = resource === "events" || resource === "batch_events";
  if ((isPost && method !== "POST") || (!isPost && method !== "GET")) {
    throw new RestError(405, "method_not_allowed", "Method not allowed");
  }

  const body = await readBody(req, res, hub.limits.maxBodyBytes, hub.limits.bodyTimeoutMs);
  verifyRequest(hub, method, path, query, body);

  if (resource === "events") {
    const event = parseEvent(hub, parseJson(body));
    deliver(hub, event);
    return replyJson(res, {});
  }
  if (resource === "batch_events") {
    const json = parseJson(body) as { batch?: unknown };
    if (!Array.isArray(json?.batch)) throw new RestError(400, "invalid_body", "Body must be {\"batch\": [...]}");
    if (json.batch.length > hub.limits.maxBatchSize) {
      throw new RestError(400, "batch_too_large", `A batch holds at most ${hub.limits.maxBatchSize} events`);
    }
    // Validate every event before delivering any, so a batch is all or nothing.
    const events = json.batch.map((item) => parseEvent(hub, item));
    for (const event of events) deliver(hub, event);
    return replyJson(res, {});
  }
  const channel = channelSegment === undefined ? undefined : decodeSegment(channelSegment);
  if (channel === undefined) return replyJson(res, listChannels(hub, query));
  const problem = channelNameProblem(channel, hub.limits.maxChannelNameLength);
  if (problem) throw new RestError(400, "invalid_channel", problem);
  if (usersSegment === "users") {
    if (channelKind(channel) !== "presence") throw new RestError(400, "not_presence", "Users are only available for presence channels");
    const roster = hub.channels.get(channel)?.roster;
    return replyJson(res, { users: (roster?.userIds() ?? []).map((id) => ({ id })) });
  }
  return replyJson(res, channelInfo(hub, channel, query));
}

/**
 * POST /apps/:id/users/:user_id/terminate_connections (Pusher's API): closes
 * the sockets of that user. This server applies it to presence members, which
 * is how the app names devices, so revoking a device closes its sockets.
 */
async function serveTerminate(hub: Hub, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, appId: string, userSegment: string): Promise<void> {
  if (appId !== hub.app.id) throw new RestError(404, "unknown_app", `Unknown app ${appId.slice(0, 64)}`);
  if ((req.method ?? "GET") !== "POST") throw new RestError(405, "method_not_allowed", "Method not allowed");
  const body = await readBody(req, res, hub.limits.maxBodyBytes, hub.limits.bodyTimeoutMs);
  verifyRequest(hub, "POST", path, query, body);
  const userId = decodeSegment(userSegment);
  hub.terminateMember(userId, CloseCode.Terminated, pusherErrorFrame(CloseCode.Terminated, "Connection terminated by the server"));
  return replyJson(res, {});
}

/** Checks the request signature and its freshness; 401 on any failure. */
function verifyRequest(hub: Hub, method: string, path: string, query: URLSearchParams, body: Buffer): void {
  const params: [string, string][] = [];
  const seen = new Set<string>();
  let signature: string | null = null;
  for (const [key, value] of query) {
    const lower = key.toLowerCase();
    if (seen.has(lower)) throw new RestError(400, "duplicate_param", `Duplicate query parameter ${lower.slice(0, 32)}`);
    seen.add(lower);
    if (lower === "auth_signature") signature = value;
    else params.push([lower, value]);
  }
  const get = (k: string): string | undefined => params.find(([key]) => key === k)?.[1];
  const authKey = get("auth_key");
  if (authKey === undefined || signature === null || get("auth_timestamp") === undefined) {
    throw new RestError(401, "auth_missing", "Missing auth_key, auth_timestamp or auth_signature");
  }
  if (!safeEqual(hub.app.key, authKey)) throw new RestError(401, "unknown_auth_key", "Unknown auth_key");
  if (get("auth_version") !== "1.0") throw new RestError(401, "auth_version", "auth_version must be 1.0");
  const timestamp = Number(get("auth_timestamp"));
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > hub.limits.maxTimestampSkewSec) {
    throw new RestError(
      401,
      "timestamp_expired",
      `Timestamp expired: given timestamp not within ${hub.limits.maxTimestampSkewSec}s of server time (${now})`,
    );
  }
  const bodyMd5 = get("body_md5");
  if (body.length > 0 || bodyMd5 !== undefined) {
    if (bodyMd5 === undefined || !safeEqual(md5Hex(body), bodyMd5)) throw new RestError(401, "body_md5", "body_md5 does not match the body");
  }
  const expected = hmacSha256Hex(hub.app.secret, restStringToSign(method, path, params));
  if (!safeEqual(expected, signature)) throw new RestError(401, "invalid_signature", "Invalid signature");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RestError(400, "invalid_path", "Malformed percent-encoding in path");
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RestError(400, "invalid_json", "Body is not valid JSON");
  }
}

function parseEvent(hub: Hub, raw: unknown): TriggerEvent {
  if (typeof raw !== "object" || raw === null) throw new RestError(400, "invalid_body", "Event must be a JSON object");
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== "string" || e.name.length === 0) throw new RestError(400, "invalid_name", "Event name must be a non-empty string");
  if (e.name.length > hub.limits.maxEventNameLength) {
    throw new RestError(400, "name_too_long", `Event name is longer than ${hub.limits.maxEventNameLength} characters`);
  }
  if (typeof e.data !== "string") throw new RestError(400, "invalid_data", "Event data must be a string");
  if (Buffer.byteLength(e.data, "utf8") > hub.limits.maxPayloadBytes) {
    throw new RestError(413, "payload_too_large", `Event data is larger than ${hub.limits.maxPayloadBytes} bytes`);
  }
  const channels = Array.isArray(e.channels) ? e.channels : e.channel !== undefined ? [e.channel] : [];
  if (channels.length === 0) throw new RestError(400, "no_channels", "Event needs channel or channels");
  if (channels.length > hub.limits.maxChannelsPerEvent) {
    throw new RestError(400, "too_many_channels", `An event may target at most ${hub.limits.maxChannelsPerEvent} channels`);
  }
  for (const channel of channels) {
    const problem = channelNameProblem(channel, hub.limits.maxChannelNameLength);
    if (problem) throw new RestError(400, "invalid_channel", problem);
  }
  let socketId: string | undefined;
  if (e.socket_id !== undefined) {
    if (typeof e.socket_id !== "string" || !SOCKET_ID.test(e.socket_id)) throw new RestError(400, "invalid_socket_id", "Invalid socket_id");
    socketId = e.socket_id;
  }
  return { name: e.name, data: e.data, channels: channels as string[], socketId };
}

function deliver(hub: Hub, event: TriggerEvent): void {
  for (const channel of event.channels) hub.publish(channel, event.name, event.data, event.socketId);
}

function infoFields(query: URLSearchParams): Set<string> {
  return new Set((query.get("info") ?? "").split(",").filter(Boolean));
}

function channelInfo(hub: Hub, channel: string, query: URLSearchParams): Record<string, unknown> {
  const info = infoFields(query);
  const state = hub.channels.get(channel);
  const result: Record<string, unknown> = { occupied: state !== undefined };
  if (info.has("subscription_count")) result.subscription_count = state?.subscribers.size ?? 0;
  if (info.has("user_count")) {
    if (channelKind(channel) !== "presence") throw new RestError(400, "not_presence", "user_count is only available for presence channels");
    result.user_count = state?.roster?.size ?? 0;
  }
  return result;
}

function listChannels(hub: Hub, query: URLSearchParams): { channels: Record<string, Record<string, number>> } {
  const prefix = query.get("filter_by_prefix") ?? "";
  const info = infoFields(query);
  if (info.has("user_count") && !prefix.startsWith("presence-")) {
    throw new RestError(400, "not_presence", "user_count needs filter_by_prefix=presence-");
  }
  const channels: Record<string, Record<string, number>> = {};
  for (const [name, state] of hub.channels.entries()) {
    if (!name.startsWith(prefix)) continue;
    channels[name] = info.has("user_count") ? { user_count: state.roster?.size ?? 0 } : {};
  }
  return { channels };
}

/**
 * Reads the body up to `limit` bytes within `timeoutMs`. Past either, the
 * request is answered (413, 408) and its socket closed once the answer is out:
 * a client trickling the rest of a body must not keep the socket.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let done = false;
    const refuse = (error: RestError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res.setHeader("connection", "close");
      res.once("finish", () => req.socket.destroy());
      reject(error);
    };
    const timer = setTimeout(() => refuse(new RestError(408, "body_timeout", `The request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return refuse(new RestError(413, "body_too_large", `Request body is larger than ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) return refuse(new RestError(413, "body_too_large", `Request body is larger than ${limit} bytes`));
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(err);
    });
  });
}

function reply(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(message);
}

function replyJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
