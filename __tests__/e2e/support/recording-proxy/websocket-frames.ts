// An incremental RFC 6455 §5.2 frame decoder for one direction of a
// WebSocket connection. TCP delivers frames cut anywhere, client frames are
// masked (their raw bytes would hide any text), and messages may be split
// into continuation frames: the decoder undoes all three so that the proxy
// records each message's real payload.

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Far above anything the app sends; guards the test process against a garbage length field. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface WebSocketMessage {
  opcode: number;
  payload: Buffer;
}

interface FrameHeader {
  fin: boolean;
  opcode: number;
  mask: Buffer | null;
  headerLength: number;
  payloadLength: number;
}

export class WebSocketProtocolError extends Error {}

/** Received chunks, joined only when a frame needs bytes from several of them (no quadratic re-copying). */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first n bytes, which must be present; not consumed. */
  peek(n: number): Buffer {
    return this.leading(n).subarray(0, n);
  }

  /** Removes and returns the first n bytes, which must be present. */
  take(n: number): Buffer {
    const first = this.leading(n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return first.subarray(0, n);
  }

  /** Everything still queued. */
  drain(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  /** Merges leading chunks until the first holds at least n bytes. */
  private leading(n: number): Buffer {
    let count = 0;
    let size = 0;
    while (size < n || count === 0) {
      const chunk = this.chunks[count++];
      if (!chunk) break;
      size += chunk.length;
    }
    const merged = count <= 1 ? (this.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.chunks.slice(0, count), size);
    if (count > 1) this.chunks.splice(0, count, merged);
    return merged;
  }
}

/** Parses a frame header from its first bytes; null when more bytes are needed. */
export function parseFrameHeader(bytes: Buffer): FrameHeader | null {
  if (bytes.length < 2) return null;
  const b0 = bytes.readUInt8(0);
  const b1 = bytes.readUInt8(1);
  const masked = (b1 & 0x80) !== 0;
  const length7 = b1 & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const headerLength = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < headerLength) return null;
  if ((b0 & 0x70) !== 0) throw new WebSocketProtocolError("RSV bits set: an extension (compression?) is in use, payloads would not be readable");
  let payloadLength = length7;
  if (length7 === 126) payloadLength = bytes.readUInt16BE(2);
  if (length7 === 127) {
    const big = bytes.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE_BYTES)) throw new WebSocketProtocolError(`frame of ${big} bytes exceeds the recorder's limit`);
    payloadLength = Number(big);
  }
  const mask = masked ? Buffer.from(bytes.subarray(2 + extended, headerLength)) : null;
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, mask, headerLength, payloadLength };
}

/** XORs with the 4-byte key into a fresh buffer: the input is a chunk still to be forwarded, so it must not change. */
export function unmask(payload: Buffer, mask: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return out;
}

export class WebSocketFrameDecoder {
  private readonly queue = new ByteQueue();
  private fragments: Buffer[] = [];
  private fragmentOpcode: number | null = null;
  private fragmentBytes = 0;

  /** `onMessage` gets every complete data message, and every control frame (close, ping, pong) with a payload. */
  constructor(private readonly onMessage: (message: WebSocketMessage) => void) {}

  /** Feeds bytes as they arrive; throws WebSocketProtocolError on traffic that is not RFC 6455 framing. */
  push(chunk: Buffer): void {
    this.queue.push(chunk);
    for (;;) {
      const header = parseFrameHeader(this.queue.peek(Math.min(this.queue.length, 14)));
      if (!header || this.queue.length < header.headerLength + header.payloadLength) return;
      this.queue.take(header.headerLength);
      const raw = this.queue.take(header.payloadLength);
      this.accept(header, header.mask ? unmask(raw, header.mask) : Buffer.from(raw));
    }
  }

  /** Bytes of unfinished messages and frames (already forwarded, never emitted), for recording when a connection ends. */
  leftover(): Buffer {
    const rest = Buffer.concat([...this.fragments, this.queue.drain()]);
    this.fragments = [];
    this.fragmentOpcode = null;
    this.fragmentBytes = 0;
    return rest;
  }

  private accept(header: FrameHeader, payload: Buffer): void {
    const { opcode, fin } = header;
    if (opcode >= 0x8) {
      // Control frames may arrive between fragments of a message (§5.4); they are never fragmented themselves.
      if (payload.length > 0) this.onMessage({ opcode, payload });
      return;
    }
    if (opcode === OPCODE.continuation) {
      if (this.fragmentOpcode === null) throw new WebSocketProtocolError("continuation frame without a message to continue");
    } else if (opcode === OPCODE.text || opcode === OPCODE.binary) {
      if (this.fragmentOpcode !== null) throw new WebSocketProtocolError("new message before the previous one finished");
      this.fragmentOpcode = opcode;
    } else {
      throw new WebSocketProtocolError(`reserved opcode 0x${opcode.toString(16)}`);
    }
    this.appendFragment(payload);
    if (fin) this.emitMessage();
  }

  private appendFragment(payload: Buffer): void {
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MAX_MESSAGE_BYTES) throw new WebSocketProtocolError("message exceeds the recorder's limit");
    this.fragments.push(payload);
  }

  private emitMessage(): void {
    const message = { opcode: this.fragmentOpcode ?? OPCODE.binary, payload: Buffer.concat(this.fragments) };
    this.fragments = [];
    this.fragmentOpcode = null;
    this.fragmentBytes = 0;
    this.onMessage(message);
  }
}
