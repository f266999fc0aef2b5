import { createHash, X509Certificate } from "node:crypto";
import { get } from "node:https";
import { freePort, startApp, type RunningApp } from "./support/app";
import { startCaddy, type RunningCaddy } from "./support/caddy";
import { closePeople, connectTo, launchPerson, logIn, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { becomeHomeRelay, enableLogs, expectLogCount, requestLogs, retrievedLogs } from "./support/relay";
import { homeTrusting, type TrustingHome } from "./support/trust-store";
import { eventually } from "./support/wait";

// The app where phones can use it: on https. Chromium trusts the server the
// way a person's device would, through the CA installed in its certificate
// store (support/trust-store.ts), never by ignoring certificate errors.

jest.setTimeout(300_000);

const PASSPHRASE = "a long log passphrase nobody guesses";
const people: Person[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  await closePeople(people);
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function person(nickname: string, home: TrustingHome, phone = false): Promise<Person> {
  const p = await launchPerson(nickname, { home: home.home, ...(phone ? { viewport: { width: 375, height: 812 }, isMobile: true } : {}) });
  people.push(p);
  return p;
}

/** The WebSocket URLs a page opens, from now on. */
function websockets(p: Person): string[] {
  const urls: string[] = [];
  p.page.on("websocket", (ws) => urls.push(ws.url()));
  return urls;
}

/** Downloads a URL without trusting its certificate yet, as a phone does before installing the CA. */
function download(url: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}

async function delivered(p: Person, text: string) {
  await eventually(() => messages(p), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, 60_000);
}

describe("npm start with HTTPS=1", () => {
  let app: RunningApp;

  beforeAll(async () => {
    const port = await freePort();
    app = await startApp({ HTTPS: "1" }, { port, publicUrl: `https://localhost:${port}` });
    cleanups.push(() => app.stop());
  });

  it("prints its own CA's fingerprint and where to download it, and serves exactly that CA", async () => {
    const printed = /SHA-256 fingerprint is ([0-9A-F:]{95})/.exec(app.output())?.[1];
    expect(printed).toBeDefined();
    expect(app.output()).toMatch(new RegExp(`https://[^ ]+:${app.port}/communisp-ca\\.crt`));
    const ca = await download(`https://127.0.0.1:${app.port}/communisp-ca.crt`);
    expect(ca.status).toBe(200);
    expect(ca.type).toBe("application/x-x509-ca-cert");
    const fingerprint = createHash("sha256").update(ca.body).digest("hex").toUpperCase().match(/../g)!.join(":");
    expect(fingerprint).toBe(printed);
    expect(new X509Certificate(ca.body).ca).toBe(true);
  });

  it("is a secure origin for a browser that trusts that CA: Secure cookies and signaling over wss", async () => {
    const ca = await download(`https://127.0.0.1:${app.port}/communisp-ca.crt`);
    const home = homeTrusting([{ name: "CommunisP local CA", pem: new X509Certificate(ca.body).toString() }]);
    cleanups.push(home.remove);
    const erin = await person("erin", home);
    const sockets = websockets(erin);
    await signUp(erin, app.url);
    expect(await erin.page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(sockets.some((url) => url.startsWith(`wss://localhost:${app.port}/app/`))).toBe(true);
    const session = (await erin.context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
    expect(session).toMatchObject({ name: "__Secure-next-auth.session-token", secure: true, httpOnly: true });
  });
});

describe("behind a TLS reverse proxy (caddy)", () => {
  let app: RunningApp;
  let caddy: RunningCaddy;
  let home: TrustingHome;

  beforeAll(async () => {
    const appPort = await freePort();
    const proxyPort = await freePort();
    // The app learns its public https address before caddy starts; caddy then proxies to it.
    app = await startApp({ TRUST_PROXY: "true" }, { port: appPort, publicUrl: `https://localhost:${proxyPort}` });
    cleanups.push(() => app.stop());
    caddy = await startCaddy(appPort, { port: proxyPort });
    cleanups.push(() => caddy.stop());
    home = homeTrusting([{ name: "Caddy Local Authority", pem: caddy.rootCaPem }]);
    cleanups.push(home.remove);
  });

  it("runs the walkthrough over https: Secure cookies, the service worker, signaling over wss, chat and log retrieval", async () => {
    const alice = await person("alice", home);
    const aliceSockets = websockets(alice);
    await signUp(alice, caddy.url);
    expect(aliceSockets.some((url) => url.startsWith(`wss://localhost:${caddy.port}/app/`))).toBe(true);
    expect((await alice.context.cookies()).find((c) => c.name === "__Secure-next-auth.session-token")?.secure).toBe(true);
    await becomeHomeRelay(alice);
    await enableLogs(alice, PASSPHRASE);

    // The service worker registers on a secure origin (headless Chromium then
    // has no push service to subscribe with, which the worker does not need).
    await alice.context.grantPermissions(["notifications"], { origin: caddy.url });
    await alice.page.getByRole("checkbox", { name: "Get pings on this device" }).click();
    const worker = await eventually(
      () => alice.page.evaluate(async () => (await navigator.serviceWorker.getRegistration("/"))?.active?.scriptURL ?? null),
      (url) => url !== null,
      "the service worker to be active",
      30_000,
    );
    expect(worker).toBe(`${caddy.url}/sw.js`);

    const bob = await person("bob", home);
    await signUp(bob, caddy.url);
    await connectTo(bob, "alice");
    await waitForConnection(bob, "direct");
    await send(bob, "Bob over https: dinner on Friday?");
    await delivered(bob, "Bob over https: dinner on Friday?");
    await expectLogCount(alice, 1);

    const phone = await person("alice", home, true);
    await logIn(phone, caddy.url);
    expect(await requestLogs(phone, "Retrieve logs", PASSPHRASE)).toBe("Retrieved 1 message.");
    expect(await retrievedLogs(phone)).toEqual({ bob: ["Bob over https: dinner on Friday?"] });
    await connectTo(phone, "bob");
    await waitForConnection(phone, "direct");
    await send(phone, "Alice's phone over https: Friday it is");
    await delivered(phone, "Alice's phone over https: Friday it is");
  });
});
