// Forwards one plain HTTP exchange to the app, streaming both bodies through
// unchanged while keeping a decoded copy of each for the record.

import { request, type Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { decodeContent, formatRequestHead, formatResponseHead, forwardedRequestHeaders, forwardedResponseHeaders, headerPairs, rawHeaderPairs } from "./http-messages";
import type { Recorder } from "./types";

export interface ForwardContext {
  target: { host: string; port: number };
  agent: Agent;
  record: Recorder;
  /** Registers a socket for close() to destroy. */
  track: (socket: Socket) => void;
}

/**
 * Calls `done` once with everything `stream` delivered, whether it ended
 * normally or was cut off: a partial body still reached the other side.
 */
function collectBody(stream: Readable, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(chunks));
  };
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.once("end", finish);
  stream.once("close", finish);
}

function fail(res: ServerResponse): void {
  if (res.destroyed || res.writableEnded) return;
  if (res.headersSent) res.destroy();
  else res.writeHead(502, { "content-type": "text/plain" }).end("recording proxy: the app did not answer\n");
}

function relayResponse(upstream: IncomingMessage, res: ServerResponse, path: string, record: Recorder): void {
  const status = upstream.statusCode ?? 502;
  const statusMessage = upstream.statusMessage ?? "";
  record({ direction: "to-client", kind: "http-response-head", path, bytes: formatResponseHead(status, statusMessage, rawHeaderPairs(upstream.rawHeaders)) });
  collectBody(upstream, (body) => {
    if (body.length > 0) record({ direction: "to-client", kind: "http-response-body", path, bytes: decodeContent(body, upstream.headers["content-encoding"]) });
  });
  // The app cut the response short: cut the browser's too rather than let it look complete.
  upstream.once("close", () => {
    if (!upstream.complete) res.destroy();
  });
  upstream.on("error", () => res.destroy());
  res.writeHead(status, statusMessage, forwardedResponseHeaders(upstream.rawHeaders));
  upstream.pipe(res);
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): void {
  const path = req.url ?? "/";
  const method = req.method ?? "GET";
  const headers = forwardedRequestHeaders(req.headers);
  ctx.record({ direction: "to-server", kind: "http-request-head", path, bytes: formatRequestHead(method, path, headerPairs(headers)) });

  const upstream = request({ host: ctx.target.host, port: ctx.target.port, method, path, headers, agent: ctx.agent });
  upstream.on("socket", ctx.track);
  upstream.on("response", (upstreamRes) => relayResponse(upstreamRes, res, path, ctx.record));
  upstream.on("error", () => fail(res));

  collectBody(req, (body) => {
    if (body.length > 0) ctx.record({ direction: "to-server", kind: "http-request-body", path, bytes: decodeContent(body, req.headers["content-encoding"]) });
  });
  req.on("error", () => upstream.destroy());
  // The browser went away (mid-request or mid-response): drop the app's side too.
  res.once("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
