import { readFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { startApp } from "./support/app";
import { castOf } from "./support/cast";
import { signUp } from "./support/people";

// The browser's policy (issue 10): a Content-Security-Policy that lets only
// the app's own, nonce-carrying scripts run, connects only to the app and its
// signaling host, and keeps the app out of frames; HSTS once the public URL
// is https. Checked in real Chromium against the app as `npm start` runs it.

jest.setTimeout(180_000);

const cast = castOf();

/** Directive name → its sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

describe("Content-Security-Policy", () => {
  it("allows scripts only by per-response nonce, never 'unsafe-inline', and frames nowhere", async () => {
    const first = await fetch(`${cast.app.url}/login`);
    const second = await fetch(`${cast.app.url}/login`);
    const csp = parseCsp(first.headers.get("content-security-policy"));
    const scripts = csp.get("script-src") ?? [];
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts.filter((s) => s.startsWith("'nonce-"))).toHaveLength(1);
    expect(first.headers.get("content-security-policy")).not.toBe(second.headers.get("content-security-policy"));
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
  });

  it("limits connections to the app's own origin and its signaling host", async () => {
    const csp = parseCsp((await fetch(`${cast.app.url}/chat`, { redirect: "manual" })).headers.get("content-security-policy"));
    const connect = csp.get("connect-src") ?? [];
    const origin = new URL(cast.app.url);
    expect(connect.sort()).toEqual(["'self'", `ws://${origin.host}`].sort());
  });

  it("stops an injected inline event handler, while the app's own scripts run and chat works without a single violation", async () => {
    const ivy = await cast.launch("ivy");
    await ivy.page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
    });
    await signUp(ivy, cast.app.url); // hydrated forms, device keys, the signaling WebSocket
    expect(await ivy.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);

    // What a markup injection would plant: an inline handler on an image that fails to load.
    const ran = await ivy.page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const holder = document.createElement("div");
          holder.innerHTML = '<img src="/no-such-image.png" onerror="window.__injected = true">';
          const img = holder.querySelector("img")!;
          img.addEventListener("error", () => setTimeout(() => resolve((window as unknown as { __injected?: boolean }).__injected === true), 0));
          document.body.append(holder);
        }),
    );
    expect(ran).toBe(false);
    const violations = await ivy.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual(["script-src-attr inline"]);
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent when the public URL is https, and not over a plain-http deployment", async () => {
    expect((await fetch(`${cast.app.url}/login`)).headers.get("strict-transport-security")).toBeNull();
    const tls = await startApp({ NEXTAUTH_URL: "https://chat.example.org" });
    try {
      const hsts = (await fetch(`http://127.0.0.1:${tls.port}/login`, { redirect: "manual" })).headers.get("strict-transport-security");
      expect(hsts).toBe("max-age=63072000; includeSubDomains");
    } finally {
      await tls.stop();
    }
  });
});

describe("the built-in signaling WebSocket of the running app", () => {
  /** Opens /app/<key> with an Origin header; resolves with whether the upgrade happened, or its HTTP status. */
  function open(origin: string): Promise<{ upgraded: boolean; status?: number }> {
    const key = /^PUSHER_KEY=(.+)$/m.exec(readFileSync(path.join(cast.app.dataDir, "secrets.env"), "utf8"))![1]!;
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${cast.app.port}/app/${key}?protocol=7&client=js&version=8.6.0`, { origin });
      ws.once("open", () => {
        ws.terminate();
        resolve({ upgraded: true });
      });
      ws.once("unexpected-response", (_req, res) => resolve({ upgraded: false, status: res.statusCode }));
      ws.once("error", () => resolve({ upgraded: false }));
    });
  }

  it("opens for the app's own pages and refuses another site's (the visitor's browser would otherwise lend it a socket)", async () => {
    expect(await open(new URL(cast.app.url).origin)).toEqual({ upgraded: true });
    expect(await open("https://evil.example")).toEqual({ upgraded: false, status: 403 });
  });
});
