// Phase boundaries from the data channel itself. The UI's own status texts
// ("Reaching the home relay…", "Proving the passphrase…", the progress bar)
// are painted late or not at all while argon2id and the opening of records
// hold the main thread, so they cannot mark phases. Instead an init script
// (added to both browser contexts before the app loads; the app is not
// changed) adds a listener to every data channel the page creates and wraps
// RTCDataChannel.send, logging [epoch ms, direction, wire kind, bytes]. The
// wire kind is byte 1 of every W message: 1 hello, 2 auth (the handshake),
// 3 ratchet message (a frame). A received message is logged when the page's
// main thread dispatches it, i.e. after everything queued before it ran.

import type { Page } from "playwright-core";

export const WIRE_SCRIPT = `(() => {
  if (globalThis.__relayWire) return;
  const log = (globalThis.__relayWire = []);
  const now = () => performance.timeOrigin + performance.now();
  const kindOf = (data) => {
    const view = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    return view && view.length > 1 ? view[1] : -1;
  };
  const sizeOf = (data) => (typeof data === "string" ? data.length : data.byteLength ?? data.size ?? 0);
  const push = (entry) => { if (log.length < 100000) log.push(entry); };
  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (...args) {
    push([now(), "dial", 0, 0]);
    const channel = create.apply(this, args);
    channel.addEventListener("open", () => push([now(), "open", 0, 0]));
    channel.addEventListener("message", (event) => push([now(), "in", kindOf(event.data), sizeOf(event.data)]));
    return channel;
  };
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    push([now(), "out", kindOf(data), sizeOf(data)]);
    return send.call(this, data);
  };
})();`;

export type WireEntry = [number, "dial" | "open" | "in" | "out", number, number];

/** Entries logged at or after `sinceEpochMs`. */
export async function readWire(page: Page, sinceEpochMs: number): Promise<WireEntry[]> {
  const all = await page.evaluate(() => (globalThis as unknown as { __relayWire?: WireEntry[] }).__relayWire ?? []);
  return all.filter((e) => e[0] >= sinceEpochMs);
}

/** Epoch ms of each step, as the phone and the home saw it (undefined when not seen). */
export interface WireTimeline {
  /** Phone: a new peer connection was made (absent when an open link was reused). */
  dial?: number;
  /** Phone: its data channel opened. */
  open?: number;
  /** Phone: the first frame sent, log-request (after the W handshake). */
  request?: number;
  challenge?: number;
  /** Phone: log-proof sent (argon2id and the signature done). */
  proof?: number;
  /** Phone: log-begin dispatched. */
  begin?: number;
  firstChunk?: number;
  lastChunk?: number;
  /** Phone: log-end dispatched (every chunk before it processed). */
  end?: number;
  chunks: number;
  chunkBytes: number;
  /** Home: its last chunk handed to the data channel. */
  homeLastChunkSent?: number;
}

const RATCHET = 3;
/** Chunks are tens of KiB; every other relay frame is a few hundred bytes. */
const CHUNK_MIN_BYTES = 2048;

export function timeline(phone: WireEntry[], home: WireEntry[]): WireTimeline {
  const t: WireTimeline = { chunks: 0, chunkBytes: 0 };
  t.dial = phone.find((e) => e[1] === "dial")?.[0];
  t.open = phone.find((e) => e[1] === "open")?.[0];
  const frames = phone.filter((e) => e[2] === RATCHET && (e[1] === "in" || e[1] === "out"));
  const next = (from: number, dir: "in" | "out") => frames.find((e) => e[0] >= from && e[1] === dir);
  const request = next(0, "out");
  t.request = request?.[0];
  const challenge = request && next(request[0], "in");
  t.challenge = challenge?.[0];
  const proof = challenge && next(challenge[0], "out");
  t.proof = proof?.[0];
  const begin = proof && next(proof[0], "in");
  t.begin = begin?.[0];
  if (begin) {
    const after = frames.filter((e) => e[1] === "in" && e[0] >= begin[0] && e !== begin);
    const chunks = after.filter((e) => e[3] >= CHUNK_MIN_BYTES);
    t.chunks = chunks.length;
    t.chunkBytes = chunks.reduce((sum, e) => sum + e[3], 0);
    t.firstChunk = chunks[0]?.[0];
    t.lastChunk = chunks.at(-1)?.[0];
    const last = chunks.at(-1) ?? begin;
    t.end = after.find((e) => e[0] >= last[0] && e !== last && e[3] < CHUNK_MIN_BYTES)?.[0];
  }
  t.homeLastChunkSent = home.filter((e) => e[1] === "out" && e[2] === RATCHET && e[3] >= CHUNK_MIN_BYTES).at(-1)?.[0];
  return t;
}
