/**
 * @jest-environment-options {"url": "https://chat.example.org/chat"}
 */
import { pusherOptions } from "@/lib/signaling/pusher-options";
import type { SignalingClientConfig } from "@/lib/signaling/schemas";

// Which WebSocket URL the real pusher-js (its browser build, as the page
// loads it) dials for each kind of signaling service, on an https page. A
// stand-in WebSocket records the URL instead of connecting anywhere.

const PusherWeb = require("pusher-js/dist/web/pusher.js") as typeof import("pusher-js").default;

const dialed: string[] = [];
class RecordingWebSocket {
  static readonly CONNECTING = 0;
  readyState = 0;
  constructor(url: string) {
    dialed.push(url);
  }
  close() {}
  send() {}
}

beforeAll(() => {
  Object.defineProperty(window, "WebSocket", { value: RecordingWebSocket, configurable: true, writable: true });
});
beforeEach(() => {
  dialed.length = 0;
});

async function firstUrl(config: SignalingClientConfig): Promise<string> {
  const pusher = new PusherWeb(config.key, pusherOptions(config, window.location));
  try {
    pusher.connect();
    for (let i = 0; i < 200 && dialed.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    if (dialed.length === 0) throw new Error("pusher-js opened no WebSocket: no transport matched the options");
    return dialed[0]!;
  } finally {
    pusher.disconnect();
  }
}

describe("the WebSocket URL the browser dials", () => {
  it("is the page's own origin over wss for the built-in server behind https", async () => {
    const url = new URL(await firstUrl({ kind: "same-origin", key: "k1" }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe("wss://chat.example.org/app/k1");
  });

  it("is ws-CLUSTER.pusher.com over wss for hosted Pusher", async () => {
    const url = new URL(await firstUrl({ kind: "cluster", key: "k2", cluster: "eu" }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe("wss://ws-eu.pusher.com/app/k2");
  });

  it("is the configured host and port for a self-hosted server", async () => {
    const url = new URL(await firstUrl({ kind: "host", key: "k3", wsHost: "ws.example.net", wsPort: 6002, forceTLS: true }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe("wss://ws.example.net:6002/app/k3");
  });

  it("opens nothing when the options name a transport pusher-js does not have (the old \"wss\" bug)", async () => {
    const pusher = new PusherWeb("k4", { ...pusherOptions({ kind: "same-origin", key: "k4" }, window.location), enabledTransports: ["wss"] });
    pusher.connect();
    // With no usable transport pusher-js gives up at once: "failed", and no socket.
    for (let i = 0; i < 200 && pusher.connection.state !== "failed"; i++) await new Promise((r) => setTimeout(r, 5));
    const state = pusher.connection.state;
    pusher.disconnect();
    expect(state).toBe("failed");
    expect(dialed).toEqual([]);
  });
});
