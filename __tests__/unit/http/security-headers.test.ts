import { appOrigin, contentSecurityPolicy, signalingSource } from "@/lib/http/security-headers";
import type { SignalingClientConfig } from "@/lib/signaling/schemas";

const builtin: SignalingClientConfig = { kind: "same-origin", key: "k" };
const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

describe("contentSecurityPolicy", () => {
  it("runs scripts by nonce only: no 'unsafe-inline', no 'unsafe-eval' outside development", () => {
    const csp = directives(contentSecurityPolicy({ nonce: "abc123==", appOrigin: new URL("https://chat.example.org"), signaling: builtin, dev: false }));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(true);
    const dev = directives(contentSecurityPolicy({ nonce: "n", appOrigin: new URL("http://localhost:3000"), signaling: builtin, dev: true }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.has("upgrade-insecure-requests")).toBe(false);
  });

  it("connects to the app's own origin and its signaling host, nothing else", () => {
    const connect = (origin: string, signaling: SignalingClientConfig) =>
      directives(contentSecurityPolicy({ nonce: "n", appOrigin: new URL(origin), signaling, dev: false })).get("connect-src");
    expect(connect("http://127.0.0.1:3000", builtin)).toEqual(["'self'", "ws://127.0.0.1:3000"]);
    expect(connect("https://chat.example.org", builtin)).toEqual(["'self'", "wss://chat.example.org"]);
    expect(connect("https://chat.example.org", { kind: "host", key: "k", wsHost: "ws.example.org", wsPort: 6001, forceTLS: true })).toEqual([
      "'self'",
      "wss://chat.example.org",
      "wss://ws.example.org:6001",
    ]);
  });
});

describe("signalingSource", () => {
  it("names hosted Pusher's cluster host, and leaves default ports out", () => {
    const app = new URL("https://chat.example.org");
    expect(signalingSource({ kind: "cluster", key: "k", cluster: "eu" }, app)).toBe("wss://ws-eu.pusher.com");
    expect(signalingSource({ kind: "host", key: "k", wsHost: "soketi.example.org", wsPort: 443, forceTLS: true }, app)).toBe("wss://soketi.example.org");
    expect(signalingSource({ kind: "host", key: "k", wsHost: "soketi.internal", wsPort: 6001, forceTLS: false }, app)).toBe("ws://soketi.internal:6001");
  });
});

describe("appOrigin", () => {
  it("is NEXTAUTH_URL's origin when set, else the request's", () => {
    expect(appOrigin({ NEXTAUTH_URL: "https://chat.example.org/some/path" }, "http://10.0.0.5:3000/chat").href).toBe("https://chat.example.org/");
    expect(appOrigin({ NEXTAUTH_URL: undefined }, "http://10.0.0.5:3000/chat").href).toBe("http://10.0.0.5:3000/");
  });
});
