// Relays one WebSocket upgrade as two raw TCP byte streams, decoding a copy
// of each direction into messages for the record. Bytes are inspected before
// they are forwarded, so anything the recorder cannot read (a compression
// extension, broken framing) stops the connection instead of passing unseen.

import { connect, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { formatRequestHead, rawHeaderPairs } from "./http-messages";
import { WebSocketFrameDecoder } from "./websocket-frames";
import type { Direction, Recorder } from "./types";

export interface RelayContext {
  target: { host: string; port: number };
  record: Recorder;
  track: (socket: Socket) => void;
}

const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_HEAD_BYTES = 64 * 1024;

/** Records the messages of one direction; `flush` records what a cut-off connection still carried. */
function messageRecorder(direction: Direction, path: string, record: Recorder) {
  const decoder = new WebSocketFrameDecoder(({ payload }) => record({ direction, kind: "ws-frame", path, bytes: payload }));
  return {
    push: (chunk: Buffer) => decoder.push(chunk),
    flush: () => {
      const rest = decoder.leftover();
      if (rest.length > 0) record({ direction, kind: "ws-frame", path, bytes: rest });
    },
  };
}

/**
 * The app's side: an HTTP response head first, then (after 101) frames.
 * Any other status is an ordinary response whose body is recorded raw.
 */
function upgradeResponseRecorder(path: string, record: Recorder) {
  let head: Buffer | null = Buffer.alloc(0);
  let frames: ReturnType<typeof messageRecorder> | null = null;
  const recordRaw = (bytes: Buffer): void => {
    if (bytes.length > 0) record({ direction: "to-client", kind: "http-response-body", path, bytes });
  };

  function acceptHead(bytes: Buffer, rest: Buffer): void {
    record({ direction: "to-client", kind: "http-response-head", path, bytes });
    const text = bytes.toString("latin1");
    if (!/^HTTP\/1\.\d 101\b/.test(text)) {
      recordRaw(rest);
      return;
    }
    if (/^sec-websocket-extensions:.*permessage-deflate/im.test(text)) {
      throw new Error("the app negotiated permessage-deflate although the proxy removed the offer; compressed frames would hide text");
    }
    frames = messageRecorder("to-client", path, record);
    frames.push(rest);
  }

  function push(chunk: Buffer): void {
    if (frames) frames.push(chunk);
    else if (head === null) recordRaw(chunk);
    else {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end === -1 && head.length <= MAX_HEAD_BYTES) return;
      const split = end === -1 ? head.length : end + HEAD_END.length;
      const complete = head.subarray(0, split);
      const rest = head.subarray(split);
      head = null;
      acceptHead(complete, rest);
    }
  }

  return { push, flush: () => frames?.flush() };
}

/** The upgrade request as the app receives it: extensions offers removed so frames stay uncompressed. */
function upgradeRequestHead(req: IncomingMessage): Buffer {
  const headers = rawHeaderPairs(req.rawHeaders).filter(([name]) => name.toLowerCase() !== "sec-websocket-extensions");
  return formatRequestHead(req.method ?? "GET", req.url ?? "/", headers);
}

/** Ends `socket` gracefully (pending bytes still flush), then makes sure it is gone. */
function endThenDestroy(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end();
  socket.once("finish", () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Pipes `from` into `to` with backpressure, inspecting every chunk first; an inspection error closes both. */
function relay(from: Duplex, to: Duplex, inspect: (chunk: Buffer) => void, abort: () => void): void {
  from.on("data", (chunk: Buffer) => {
    try {
      inspect(chunk);
    } catch {
      return abort();
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
  from.once("end", () => endThenDestroy(to));
  from.once("close", () => endThenDestroy(to));
}

export function relayUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, ctx: RelayContext): void {
  const path = req.url ?? "/";
  const requestHead = upgradeRequestHead(req);
  ctx.record({ direction: "to-server", kind: "http-request-head", path, bytes: requestHead });
  const toServer = messageRecorder("to-server", path, ctx.record);
  const toClient = upgradeResponseRecorder(path, ctx.record);

  const upstream = connect({ host: ctx.target.host, port: ctx.target.port });
  ctx.track(upstream);
  const abort = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", abort);
  upstream.on("error", abort);
  client.once("close", () => toServer.flush());
  upstream.once("close", () => toClient.flush());

  // Bytes the client sent right after its upgrade request are its first frames.
  if (head.length > 0) client.unshift(head);
  upstream.write(requestHead);
  relay(client, upstream, toServer.push, abort);
  relay(upstream, client, toClient.push, abort);
}
