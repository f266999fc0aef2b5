// In-page instrumentation for the chat benchmark's breakdown, installed in
// every page of the benchmark's browser contexts before any page script runs
// (context.addInitScript). It wraps a few browser APIs the product uses and,
// only while `on` is set, records when things happen, in epoch milliseconds
// (performance.timeOrigin + performance.now(), comparable across the two
// Chromium processes to within a fraction of a millisecond):
//
//   IndexedDB     each transaction: its stores, mode, creation and commit time
//   RTCDataChannel  every send and every received message (size), open
//   RTCPeerConnection  local/remote descriptions applied, connection states
//   fetch         every request to the server (method, path, signal type) and its answer
//   WebSocket     every frame from the signaling server (event name, signal type)
//
// While `on` is false a wrapper costs one property read per call. `relaxed`
// is a what-if switch: it makes every read-write IndexedDB transaction ask
// for { durability: "relaxed" } instead of what the app asked for.
//
// The function is serialised into the page: it must not use anything from
// this module's scope. (tsx compiles with keepNames, which wraps named
// functions in a `__name` helper; PAGE_SHIM defines it in the page first.)

/** One recorded event: [epoch ms, kind, detail, bytes]. */
export type ProbeEvent = [number, string, string, number];
/** One IndexedDB transaction: [stores joined by "+", mode, durability, created (epoch ms), committed (epoch ms, 0 if aborted)]. */
export type ProbeTx = [string, string, string, number, number];

export interface ProbeState {
  on: boolean;
  relaxed: boolean;
  events: ProbeEvent[];
  txs: ProbeTx[];
}

export const PAGE_SHIM = "globalThis.__name = globalThis.__name || ((fn) => fn);";

export function installProbe(): void {
  const P: ProbeState = { on: false, relaxed: false, events: [], txs: [] };
  (globalThis as unknown as { __benchProbe: ProbeState }).__benchProbe = P;
  const epoch = () => performance.timeOrigin + performance.now();
  const log = (kind: string, detail: string, bytes: number) => P.events.push([epoch(), kind, detail, bytes]);
  const sizeOf = (data: unknown): number =>
    typeof data === "string" ? data.length : data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : data instanceof Blob ? data.size : 0;

  // IndexedDB transactions.
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) {
    const opts = P.relaxed && mode === "readwrite" ? { ...options, durability: "relaxed" as const } : options;
    const tx = transaction.call(this, stores, mode, opts);
    if (P.on) {
      const record: ProbeTx = [([] as string[]).concat(stores).join("+"), mode ?? "readonly", opts?.durability ?? "default", epoch(), 0];
      P.txs.push(record);
      tx.addEventListener("complete", () => (record[4] = epoch()));
    }
    return tx;
  } as typeof IDBDatabase.prototype.transaction;

  // WebRTC: the product's PeerLink creates its one data channel right after the connection.
  const createDataChannel = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, label: string, init?: RTCDataChannelInit) {
    const channel = createDataChannel.call(this, label, init);
    if (P.on) log("pc:create", label, 0);
    this.addEventListener("connectionstatechange", () => P.on && log("pc:state", this.connectionState, 0));
    channel.addEventListener("open", () => P.on && log("dc:open", label, 0));
    // Registered before the product's onmessage handler, so it runs first.
    channel.addEventListener("message", (event) => P.on && log("dc:in", label, sizeOf(event.data)));
    return channel;
  };
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string & Blob & ArrayBuffer & ArrayBufferView<ArrayBuffer>) {
    if (P.on) log("dc:out", this.label, sizeOf(data));
    return send.call(this, data);
  } as typeof RTCDataChannel.prototype.send;
  for (const name of ["setLocalDescription", "setRemoteDescription"] as const) {
    const original = RTCPeerConnection.prototype[name] as (...args: unknown[]) => Promise<void>;
    (RTCPeerConnection.prototype as unknown as Record<string, unknown>)[name] = function (this: RTCPeerConnection, ...args: unknown[]) {
      const started = P.on;
      const result = original.apply(this, args);
      if (started) {
        const side = name === "setLocalDescription" ? "local" : "remote";
        void result.then(
          () => P.on && log(`pc:${side}`, (side === "local" ? this.localDescription : this.remoteDescription)?.type ?? "?", 0),
          () => undefined,
        );
      }
      return result;
    };
  }

  // HTTP requests to the server.
  const fetchOriginal = globalThis.fetch;
  globalThis.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
    if (!P.on) return fetchOriginal(input, init);
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    let what = `${init?.method ?? "GET"} ${url.pathname}`;
    if (typeof init?.body === "string" && url.pathname === "/api/signal") {
      try {
        what += ` ${(JSON.parse(init.body) as { type?: string }).type ?? ""}`;
      } catch {
        // not JSON: leave it unnamed
      }
    }
    log("fetch:start", what, 0);
    return fetchOriginal(input, init).then(
      (response) => {
        if (P.on) log("fetch:end", `${what} ${response.status}`, 0);
        return response;
      },
      (error: unknown) => {
        if (P.on) log("fetch:end", `${what} failed`, 0);
        throw error;
      },
    );
  };

  // Frames from the signaling server (pusher-js opens its socket with `new WebSocket`).
  const WebSocketOriginal = globalThis.WebSocket;
  class ProbedWebSocket extends WebSocketOriginal {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        if (!P.on || typeof event.data !== "string") return;
        let what = "?";
        try {
          const frame = JSON.parse(event.data) as { event?: string; data?: unknown };
          what = frame.event ?? "?";
          const data = typeof frame.data === "string" ? (JSON.parse(frame.data) as { type?: string }) : (frame.data as { type?: string } | undefined);
          if (what === "signal" && data?.type) what += ` ${data.type}`;
        } catch {
          // leave it unnamed
        }
        log("ws:in", what, event.data.length);
      });
    }
  }
  globalThis.WebSocket = ProbedWebSocket;
}
