// Shared shapes of the recording proxy, kept apart so that its helpers can
// import them without importing the proxy itself.

export type Direction = "to-server" | "to-client";

export type RecordKind = "http-request-head" | "http-request-body" | "http-response-head" | "http-response-body" | "ws-frame";

/** One decoded payload that crossed the proxy. `bytes` is a Buffer at run time. */
export interface ProxyRecord {
  direction: Direction;
  kind: RecordKind;
  /** The request target (path and query) of the HTTP request or WebSocket upgrade. */
  path: string;
  bytes: Uint8Array;
}

export interface LeakHit {
  record: ProxyRecord;
  /** Name of the encoding whose bytes were found, e.g. "utf-8", "base64@1", "utf-16le". */
  encoding: string;
}

export type Recorder = (record: ProxyRecord) => void;
