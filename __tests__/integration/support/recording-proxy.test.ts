// The recording proxy the end-to-end tests put between browsers and the app:
// it must forward faithfully (HTTP, cookies, compression, chunking, WebSocket)
// and its record must show every text that crossed it, in any encoding, so
// that "no leaks found" really means the server never saw the text.

import { createHash } from "node:crypto";
import { EventEmitter, once } from "node:events";
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { brotliCompressSync, deflateSync, gunzipSync, gzipSync, inflateSync, brotliDecompressSync } from "node:zlib";
import WebSocket, { WebSocketServer } from "ws";
import { startRecordingProxy, needleEncodings, type ProxyRecord, type RecordingProxy } from "../../e2e/support/recording-proxy";
import { encodingsIn } from "../../e2e/support/recording-proxy/leak-search";
import { WebSocketFrameDecoder, type WebSocketMessage } from "../../e2e/support/recording-proxy/websocket-frames";

jest.setTimeout(20_000);

// Non-ASCII, quotes, an apostrophe, "?", "~" and an emoji: every encoding of it differs
// from every other, and its base64 holds "+" or "/" at each alignment (so base64url differs too).
const NEEDLE = `Grüße "aus" Köln – Tom's 42 Äpfel & Birnen? 🍎~ÿ`;
const NEAR_MISS = NEEDLE.replace("42", "43");

// ---------------------------------------------------------------- upstream

interface Upstream {
  port: number;
  events: EventEmitter;
  upgradeHeaders: IncomingHttpHeaders[];
  close(): Promise<void>;
}

const COMPRESSORS: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
const COMPRESSED_JSON = JSON.stringify({ compressed: "this body was compressed by the app anyway" });

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

function route(req: IncomingMessage, res: ServerResponse, events: EventEmitter): void {
  const url = new URL(req.url ?? "/", "http://upstream");
  const json = (value: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
  if (url.pathname === "/json") return void json({ host: req.headers.host, acceptEncoding: req.headers["accept-encoding"], cookie: req.headers.cookie ?? null, note: req.headers["x-note"] ?? null });
  if (url.pathname === "/echo") return void readBody(req).then((body) => res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/octet-stream" }).end(body));
  if (url.pathname.startsWith("/compressed/")) {
    // Compresses whatever the client asked for, like a misconfigured server.
    const coding = url.pathname.slice("/compressed/".length);
    return void res.writeHead(200, { "content-type": "application/json", "content-encoding": coding }).end(COMPRESSORS[coding]!(Buffer.from(COMPRESSED_JSON)));
  }
  if (url.pathname === "/chunked") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("alpha-");
    setTimeout(() => res.write("beta-"), 10);
    return void setTimeout(() => res.end("gamma"), 20);
  }
  if (url.pathname === "/login") {
    return void res.writeHead(200, [["Set-Cookie", "session=abc123; Path=/; HttpOnly; SameSite=Lax"], ["Set-Cookie", "theme=dark; Path=/"]].flat()).end("ok");
  }
  if (url.pathname === "/slow-upload") {
    events.emit("upload-started");
    return void req.once("close", () => events.emit("upload-closed", req.complete));
  }
  if (url.pathname === "/stream-forever") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first chunk\n");
    return void res.once("close", () => events.emit("stream-closed", res.writableFinished));
  }
  if (url.pathname === "/drop") return void req.socket.destroy();
  res.writeHead(404).end();
}

function acceptKey(key: string): string {
  return createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
}

async function startUpstream(): Promise<Upstream> {
  const events = new EventEmitter();
  const upgradeHeaders: IncomingHttpHeaders[] = [];
  const upgraded = new Set<Socket>();
  // Compression enabled for every size: if the proxy let the client's offer through, frames would be compressed.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  const server: Server = createServer((req, res) => route(req, res, events));
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgradeHeaders.push(req.headers);
    upgraded.add(socket);
    socket.on("error", () => undefined);
    if (req.url?.startsWith("/app/key")) return wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    // A server that ignores the offer list and compresses anyway.
    const accept = acceptKey(String(req.headers["sec-websocket-key"]));
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    events,
    upgradeHeaders,
    close: async () => {
      for (const socket of upgraded) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------------------------------------------------------------- clients

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

async function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on("error", () => undefined);
  await once(ws, "open");
  return ws;
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve) => ws.once("message", (data: Buffer) => resolve(data)));
}

/** An RFC 6455 client frame with the given mask key, written by hand so the test knows the exact bytes on the wire. */
function maskedFrame(opcode: number, payload: Buffer, mask: Buffer, fin = true): Buffer {
  const length = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), length, mask, masked]);
}

/** Opens a WebSocket through the proxy over a bare TCP socket; resolves after the 101. */
async function rawWebSocket(port: number, path: string): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => undefined);
  await once(socket, "connect");
  const key = Buffer.from("0123456789abcdef").toString("base64");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let received = "";
  while (!received.includes("\r\n\r\n")) received += String((await once(socket, "data"))[0]);
  expect(received).toMatch(/^HTTP\/1\.1 101/);
  return socket;
}

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const text = (r: ProxyRecord) => Buffer.from(r.bytes).toString("utf8");
const framesOf = (proxy: RecordingProxy, direction: ProxyRecord["direction"]) =>
  proxy
    .records()
    .filter((r) => r.kind === "ws-frame" && r.direction === direction)
    .map(text);

// ---------------------------------------------------------------- setup

let upstream: Upstream;
let proxy: RecordingProxy;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());
beforeEach(async () => {
  proxy = await startRecordingProxy({ host: "127.0.0.1", port: upstream.port });
});
afterEach(() => proxy.close());

// ---------------------------------------------------------------- frame decoder

describe("WebSocket frame decoder (RFC 6455 §5.7 examples)", () => {
  function decodeInPieces(bytes: Buffer, pieceSize: number): WebSocketMessage[] {
    const messages: WebSocketMessage[] = [];
    const decoder = new WebSocketFrameDecoder((m) => messages.push(m));
    for (let i = 0; i < bytes.length; i += pieceSize) decoder.push(bytes.subarray(i, i + pieceSize));
    return messages;
  }

  test("unmasks the masked 'Hello', byte by byte, without touching the input", () => {
    const wire = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    const copy = Buffer.from(wire);
    expect(wire.includes("Hello")).toBe(false);
    const messages = decodeInPieces(wire, 1);
    expect(messages.map((m) => [m.opcode, m.payload.toString()])).toEqual([[1, "Hello"]]);
    expect(wire).toEqual(copy);
  });

  test("reassembles a fragmented message around an interleaved ping", () => {
    const wire = Buffer.from([0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x80, 0x02, 0x6c, 0x6f]);
    const messages = decodeInPieces(wire, 3);
    expect(messages.map((m) => [m.opcode, m.payload.toString()])).toEqual([
      [9, "Hello"],
      [1, "Hello"],
    ]);
  });

  test("reads 16-bit and 64-bit lengths split across chunks", () => {
    const p256 = Buffer.alloc(256, 7);
    const p64k = Buffer.alloc(65536, 9);
    const wire = Buffer.concat([Buffer.from([0x82, 0x7e, 0x01, 0x00]), p256, Buffer.from([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]), p64k]);
    const messages = decodeInPieces(wire, 1000);
    expect(messages.map((m) => m.payload)).toEqual([p256, p64k]);
  });

  test("refuses compressed (RSV1) frames and continuations of nothing", () => {
    expect(() => decodeInPieces(Buffer.from([0xc1, 0x01, 0x00]), 3)).toThrow(/RSV/);
    expect(() => decodeInPieces(Buffer.from([0x80, 0x01, 0x41]), 3)).toThrow(/continuation/);
  });
});

// ---------------------------------------------------------------- leak search

describe("findLeaks", () => {
  const utf8 = Buffer.from(NEEDLE, "utf8");
  const filler = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
  const inBase64 = (prefix: number, alphabet: "base64" | "base64url") => Buffer.concat([filler(prefix), utf8, filler(7)]).toString(alphabet);
  const utf16 = (swap: boolean) => {
    const le = Buffer.from(NEEDLE, "utf16le");
    return Buffer.concat([filler(5), swap ? Buffer.from(le).swap16() : le, filler(5)]);
  };

  const cases: [string, string | Buffer][] = [
    ["utf-8", `message: ${NEEDLE}!`],
    ["json-escaped", JSON.stringify({ text: NEEDLE })],
    ["json-unicode-escaped", String.raw`{"text":"Gr\u00fc\u00dfe \"aus\" K\u00f6ln \u2013 Tom's 42 \u00c4pfel & Birnen? \ud83c\udf4e~\u00ff"}`],
    ["json-escaped-twice", JSON.stringify({ event: "m", data: JSON.stringify({ text: NEEDLE }) })],
    ["url-encoded", `q=${encodeURIComponent(NEEDLE)}&x=1`],
    ["form-urlencoded", new URLSearchParams({ a: "b", text: NEEDLE }).toString()],
    ["percent-decoded", `q=${encodeURIComponent(NEEDLE).replace(/%[0-9A-F]{2}/g, (s) => s.toLowerCase())}`],
    ["hex", `blob=${filler(3).toString("hex")}${utf8.toString("hex")}00`],
    ["hex-upper", `BLOB=${utf8.toString("hex").toUpperCase()}`],
    ["utf-16le", utf16(false)],
    ["utf-16be", utf16(true)],
    ...[0, 1, 2, 3, 4, 5].map((p): [string, string] => [`base64@${p % 3}`, `{"blob":"${inBase64(p, "base64")}"}`]),
    ...[0, 1, 2].map((p): [string, string] => [`base64url@${p}`, `token=${inBase64(p + 3, "base64url")}`]),
  ];

  test.each(cases.map(([encoding, body], i) => [i, encoding, body] as const))("case %d: finds the needle hidden as %s, and not a near miss", async (i, encoding, body) => {
    const path = `/echo?case=${i}`;
    const reply = await httpRequest(`${proxy.url}${path}`, { method: "POST", body, headers: { "content-type": "application/octet-stream" } });
    expect(reply.body).toEqual(Buffer.from(body));
    const hits = proxy.findLeaks(NEEDLE).map((h) => [h.record.direction, h.record.kind, h.record.path, h.encoding]);
    expect(hits).toEqual([
      ["to-server", "http-request-body", path, encoding],
      ["to-client", "http-response-body", path, encoding],
    ]);
    expect(proxy.findLeaks(NEAR_MISS)).toEqual([]);
  });

  test("distinct encodings stay distinct for the test needle", () => {
    expect(needleEncodings(NEEDLE)).toHaveLength(19);
  });

  // Node's URL parser, like a browser's, escapes "'" in a query where encodeURIComponent does not.
  test("finds a needle sent in a URL or a header", async () => {
    await httpRequest(`${proxy.url}/json?text=${encodeURIComponent(NEEDLE)}`, { headers: { "x-note": Buffer.from(NEEDLE).toString("base64") } });
    const heads = proxy.findLeaks(NEEDLE).filter((h) => h.record.kind === "http-request-head");
    expect(heads.map((h) => h.encoding).sort()).toEqual(["base64@0", "percent-decoded"]);
  });

  test("rejects needles too short to be meaningful in base64 or hex", () => {
    expect(() => proxy.findLeaks("hi")).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------- HTTP

describe("HTTP through the proxy", () => {
  test("GET keeps Host as the browser sees it and asks the app for identity encoding", async () => {
    const reply = await httpRequest(`${proxy.url}/json?x=1`, { headers: { "accept-encoding": "gzip, br" } });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ host: `127.0.0.1:${proxy.port}`, acceptEncoding: "identity", cookie: null, note: null });
    const [head] = proxy.records().filter((r) => r.kind === "http-request-head");
    expect(text(head!)).toMatch(/^GET \/json\?x=1 HTTP\/1\.1\r\n[\s\S]*accept-encoding: identity\r\n/);
  });

  test("POST body goes through and is recorded in both directions", async () => {
    const body = JSON.stringify({ hello: "world", n: [1, 2, 3] });
    const reply = await httpRequest(`${proxy.url}/echo`, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(reply.body.toString()).toBe(body);
    const bodies = proxy.records().filter((r) => r.kind.endsWith("-body"));
    expect(bodies.map((r) => [r.direction, r.kind, r.path, text(r)])).toEqual([
      ["to-server", "http-request-body", "/echo", body],
      ["to-client", "http-response-body", "/echo", body],
    ]);
  });

  test.each(["gzip", "deflate", "br"])("a %s response reaches the client untouched and is recorded decoded", async (coding) => {
    const reply = await httpRequest(`${proxy.url}/compressed/${coding}`);
    expect(reply.headers["content-encoding"]).toBe(coding);
    const decompress = { gzip: gunzipSync, deflate: inflateSync, br: brotliDecompressSync }[coding]!;
    expect(decompress(reply.body).toString()).toBe(COMPRESSED_JSON);
    const recorded = proxy.records().find((r) => r.kind === "http-response-body");
    expect(text(recorded!)).toBe(COMPRESSED_JSON);
  });

  test("a chunked response is relayed and recorded de-chunked", async () => {
    const reply = await httpRequest(`${proxy.url}/chunked`);
    expect(reply.headers["transfer-encoding"]).toBe("chunked");
    expect(reply.body.toString()).toBe("alpha-beta-gamma");
    const recorded = proxy.records().find((r) => r.kind === "http-response-body");
    expect(text(recorded!)).toBe("alpha-beta-gamma");
  });

  test("Set-Cookie passes unchanged, and the cookie comes back to the app", async () => {
    const login = await httpRequest(`${proxy.url}/login`);
    expect(login.headers["set-cookie"]).toEqual(["session=abc123; Path=/; HttpOnly; SameSite=Lax", "theme=dark; Path=/"]);
    const me = await httpRequest(`${proxy.url}/json`, { headers: { cookie: "session=abc123; theme=dark" } });
    expect(JSON.parse(me.body.toString()).cookie).toBe("session=abc123; theme=dark");
  });
});

// ---------------------------------------------------------------- WebSocket

describe("WebSocket through the proxy", () => {
  test("text, binary, large and fragmented messages round-trip and are recorded unmasked and whole", async () => {
    const ws = await openWs(`${proxy.url.replace("http", "ws")}/app/key?protocol=7`);
    expect(ws.extensions).toBe("");
    const large = "L".repeat(70_000) + " end of the large one";
    const sent: string[] = [];
    const roundTrip = async (send: () => void, expected: string) => {
      const reply = nextMessage(ws);
      send();
      expect((await reply).toString()).toBe(expected);
      sent.push(expected);
    };
    await roundTrip(() => ws.send("hello through the proxy"), "hello through the proxy");
    await roundTrip(() => ws.send(large), large);
    await roundTrip(() => {
      ws.send("first fragment, ", { fin: false });
      ws.send("second fragment, ", { fin: false });
      ws.send("last fragment", { fin: true });
    }, "first fragment, second fragment, last fragment");
    await roundTrip(() => ws.send(Buffer.from("binary payload"), { binary: true }), "binary payload");

    const toServer = await waitFor(() => (framesOf(proxy, "to-server").length >= sent.length ? framesOf(proxy, "to-server") : undefined), "client frames");
    const toClient = await waitFor(() => (framesOf(proxy, "to-client").length >= sent.length ? framesOf(proxy, "to-client") : undefined), "server frames");
    expect(toServer).toEqual(sent);
    expect(toClient).toEqual(sent);
    expect(upstream.upgradeHeaders.at(-1)!["sec-websocket-extensions"]).toBeUndefined();
    const upgradeHead = proxy.records().find((r) => r.kind === "http-request-head" && r.path === "/app/key?protocol=7");
    expect(text(upgradeHead!)).not.toMatch(/permessage-deflate/i);
    ws.close();
  });

  test("a needle sent only in a masked client frame is found: the proxy unmasks", async () => {
    const socket = await rawWebSocket(proxy.port, "/app/key");
    const frame = maskedFrame(0x1, Buffer.from(NEEDLE), Buffer.from([0x37, 0xfa, 0x21, 0x3d]));
    // The bytes on the wire hold the needle in no encoding at all.
    expect(encodingsIn(frame, NEEDLE)).toEqual([]);
    socket.write(frame);
    const hit = await waitFor(() => proxy.findLeaks(NEEDLE).find((h) => h.record.direction === "to-server"), "the client frame");
    expect([hit.record.kind, hit.encoding]).toEqual(["ws-frame", "utf-8"]);
    socket.destroy();
  });

  test("fails closed when the app negotiates compression anyway", async () => {
    const ws = new WebSocket(`${proxy.url.replace("http", "ws")}/force-deflate`);
    ws.on("error", () => undefined);
    const outcome = await new Promise((resolve) => {
      ws.once("open", () => resolve("opened"));
      ws.once("close", () => resolve("closed"));
    });
    ws.terminate();
    expect(outcome).toBe("closed");
    expect(proxy.records().some((r) => r.kind === "http-response-head" && /permessage-deflate/.test(text(r)))).toBe(true);
    expect((await httpRequest(`${proxy.url}/json`)).status).toBe(200);
  });
});

// ---------------------------------------------------------------- resilience

describe("resilience", () => {
  test("a client vanishing mid-upload aborts the app's request and the proxy keeps serving", async () => {
    const started = once(upstream.events, "upload-started");
    const closed = once(upstream.events, "upload-closed");
    const socket = connect({ host: "127.0.0.1", port: proxy.port });
    socket.on("error", () => undefined);
    socket.write(`POST /slow-upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${"a".repeat(1000)}`);
    await started;
    socket.resetAndDestroy();
    expect(await closed).toEqual([false]);
    expect((await httpRequest(`${proxy.url}/json`)).status).toBe(200);
  });

  test("a client vanishing mid-response closes the app's response and the proxy keeps serving", async () => {
    const closed = once(upstream.events, "stream-closed");
    await new Promise<void>((resolve) => {
      const req = request(`${proxy.url}/stream-forever`, { agent: false }, (res) => res.once("data", () => (req.destroy(), resolve())));
      req.on("error", () => undefined);
      req.end();
    });
    expect(await closed).toEqual([false]);
    expect((await httpRequest(`${proxy.url}/json`)).status).toBe(200);
  });

  test("an app dropping the connection gives 502, and so does an app that is down", async () => {
    expect((await httpRequest(`${proxy.url}/drop`)).status).toBe(502);
    const down = await startRecordingProxy({ host: "127.0.0.1", port: 1 });
    expect((await httpRequest(`${down.url}/json`)).status).toBe(502);
    await down.close();
    expect((await httpRequest(`${proxy.url}/json`)).status).toBe(200);
  });

  test("a WebSocket client vanishing mid-frame does not hurt the proxy", async () => {
    const socket = await rawWebSocket(proxy.port, "/app/key");
    const frame = maskedFrame(0x1, Buffer.from("a message cut in the middle"), Buffer.from([1, 2, 3, 4]));
    socket.write(frame.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 50));
    socket.resetAndDestroy();
    const ws = await openWs(`${proxy.url.replace("http", "ws")}/app/key`);
    const reply = nextMessage(ws);
    ws.send("still alive");
    expect((await reply).toString()).toBe("still alive");
    ws.close();
  });

  test("close() is safe twice and ends open connections", async () => {
    const ws = await openWs(`${proxy.url.replace("http", "ws")}/app/key`);
    const wsClosed = once(ws, "close");
    await Promise.all([proxy.close(), proxy.close()]);
    await proxy.close();
    await wsClosed;
    await expect(httpRequest(`${proxy.url}/json`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
