import { createECDH, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { transformSync } from "@swc/core";
import Database from "better-sqlite3";
import type { CDPSession, Page } from "playwright-core";
import { startPushService, type PushServiceStandIn } from "../integration/push/support/push-service";
import { decryptAes128gcm, newReceiver, verifyVapid } from "../integration/push/support/web-push-receiver";
import { makeTempDir } from "../support/temp-dir";
import { startApp, type RunningApp } from "./support/app";
import { closePeople, launchPerson, signUp, type Person } from "./support/people";
import { eventually } from "./support/wait";

// "Ping on Received" in real Chromium against the app as `npm start` runs it:
// the page registers public/sw.js through lib/push/client.ts, and real push
// events reach the worker through the DevTools protocol
// (ServiceWorker.deliverPushMessage), which dispatches them as a push service
// would, minus the push service (headless Chromium has none).

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, "../..");
type PushClient = typeof import("@/lib/push/client");
interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: unknown;
}

let app: RunningApp;
let pushService: PushServiceStandIn;
let caDir: { dir: string; remove: () => void };
let person: Person;
let page: Page;
let cdp: CDPSession;
let origin: string;
const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];

/**
 * Serves lib/ modules to the page as ES modules (transpiled by swc, imports
 * rewritten to these URLs), so the test drives the real lib/push/client.ts
 * before any page of the app uses it.
 */
function browserModule(relative: string): string {
  const file = path.join(ROOT, relative);
  const { code } = transformSync(readFileSync(file, "utf8"), {
    filename: file,
    swcrc: false,
    configFile: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "es6" },
  });
  return code.replace(/from "([^"]+)"/g, (_all, specifier: string) => {
    const target = specifier.startsWith("@/") ? specifier.slice(2) : path.posix.join(path.posix.dirname(relative), specifier);
    return `from "/__e2e__/${target}.js"`;
  });
}

/** How evaluate() callbacks reach the module (loadClient() puts it there). */
type E2eWindow = { __e2ePush: Promise<PushClient> };

async function loadClient(): Promise<void> {
  await page.addScriptTag({
    type: "module",
    content: `window.__e2ePush = import("/__e2e__/lib/push/client.js");`,
  });
}

const serverSaysSubscribed = () => page.evaluate(async () => (await (await (window as unknown as E2eWindow).__e2ePush).pushStatus()).subscribed);

const notifications = (): Promise<ShownNotification[]> =>
  page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  });

async function clearNotifications(): Promise<void> {
  await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).forEach((n) => n.close()));
  await eventually(notifications, (list) => list.length === 0, "notifications to close");
}

function registrationId(): string {
  const live = registrations.filter((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
  const id = live.at(-1)?.registrationId;
  if (id === undefined) throw new Error(`no service worker registration for ${origin}/ (saw ${JSON.stringify(registrations)})`);
  return id;
}

/** A real push event for the worker, as a push service would deliver it. */
async function deliver(data: string): Promise<void> {
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: registrationId(), data });
}

/** Delivers a push and waits for the one notification it must show. */
async function notificationFor(data: string): Promise<ShownNotification> {
  await clearNotifications();
  await deliver(data);
  const list = await eventually(notifications, (l) => l.length > 0, `a notification for ${JSON.stringify(data)}`);
  expect(list).toHaveLength(1);
  return list[0]!;
}

beforeAll(async () => {
  // The app trusts the stand-in push service's certificate the way any Node
  // process can be told to, with its default HTTPS agent: no test hooks.
  pushService = await startPushService();
  caDir = makeTempDir("push-ca");
  writeFileSync(path.join(caDir.dir, "ca.pem"), pushService.cert);
  // ...and allows it (and the made-up push.example.net) by name, as an operator allows a self-hosted push service.
  app = await startApp({ NODE_EXTRA_CA_CERTS: path.join(caDir.dir, "ca.pem"), PUSH_ALLOWED_HOSTS: `push.example.net,${new URL(pushService.origin).host}` });
  origin = new URL(app.url).origin;
  person = await launchPerson("swtester");
  page = person.page;
  await person.context.grantPermissions(["notifications"], { origin });
  await person.context.route("**/__e2e__/**", (route) => {
    const relative = new URL(route.request().url()).pathname.replace(/^\/__e2e__\//, "").replace(/\.js$/, ".ts");
    return route.fulfill({ status: 200, contentType: "text/javascript", body: browserModule(relative) });
  });
  cdp = await person.context.newCDPSession(page);
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  await signUp(person, app.url);
  await loadClient();
});
afterAll(async () => {
  await closePeople([person].filter(Boolean));
  await app?.stop();
  await pushService?.close();
  caDir?.remove();
});

describe("the service worker in Chromium", () => {
  it("is served from /sw.js as JavaScript", async () => {
    const res = await fetch(`${app.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
  });

  it("is registered for the whole origin by registerServiceWorker()", async () => {
    const result = await page.evaluate(async () => {
      const client = await (window as unknown as E2eWindow).__e2ePush;
      const support = client.pushSupport();
      const registration = await client.registerServiceWorker();
      const ready = await navigator.serviceWorker.ready;
      return { support, scope: registration.scope, script: ready.active?.scriptURL };
    });
    expect(result).toEqual({ support: "supported", scope: `${origin}/`, script: `${origin}/sw.js` });
    await eventually(async () => registrations, (list) => list.some((r) => r.scopeURL === `${origin}/` && !r.isDeleted), "DevTools to see the registration");
  });

  it("shows exactly one notification, with only the count, for a delivered ping", async () => {
    expect(await notificationFor('{"type":"ping","count":3}')).toEqual({
      title: "CommunisP",
      body: "Your home relay received 3 new messages.",
      tag: "communisp-ping",
      data: { url: "/chat" },
    });
    // A newer ping replaces the older one (same tag) rather than adding a second.
    await deliver('{"type":"ping","count":1}');
    const list = await eventually(notifications, (l) => l.some((n) => n.body.includes("1 new message.")), "the newer ping's notification");
    expect(list).toEqual([{ title: "CommunisP", body: "Your home relay received 1 new message.", tag: "communisp-ping", data: { url: "/chat" } }]);
  });

  const generic = "Your home relay received new messages.";
  it.each([
    ["text that is not JSON", "alice says: meet at noon", generic],
    ["an empty payload", "", generic],
    ["a count that is markup", '{"type":"ping","count":"<b>7</b>"}', generic],
    ["a count out of range", '{"type":"ping","count":1000000000}', generic],
    ["another type, with text", '{"type":"message","from":"alice","text":"meet at noon"}', generic],
    ["a ping with extra fields", '{"type":"ping","count":2,"from":"alice","text":"meet at noon"}', "Your home relay received 2 new messages."],
  ])("shows only content-free text for %s", async (_what, data, body) => {
    const shown = await notificationFor(data);
    expect(shown).toEqual({ title: "CommunisP", body, tag: "communisp-ping", data: { url: "/chat" } });
    expect(JSON.stringify(shown)).not.toMatch(/alice|noon|<b>/);
  });
});

describe("lib/push/client against the app", () => {
  it("reports this device as not subscribed, and offers the server's VAPID key", async () => {
    const result = await page.evaluate(async () => {
      const client = await (window as unknown as E2eWindow).__e2ePush;
      return { status: await client.pushStatus(), subscribed: await client.isThisDeviceSubscribed() };
    });
    expect(result.subscribed).toBe(false);
    expect(result.status.subscribed).toBe(false);
    expect(Buffer.from(result.status.vapidPublicKey, "base64url")).toHaveLength(65);
  });

  it("explains in words that headless Chromium has no push service, and records nothing", async () => {
    const outcome = await page.evaluate(async () => {
      const client = await (window as unknown as E2eWindow).__e2ePush;
      const { vapidPublicKey } = await client.pushStatus();
      try {
        await client.subscribeThisDevice(vapidPublicKey);
        return { ok: true, message: "" };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    });
    expect(outcome).toEqual({
      ok: false,
      message: "This browser could not subscribe to push messages. Some browsers (private windows, headless or privacy-hardened ones) have no push service.",
    });
    expect(await serverSaysSubscribed()).toBe(false);
  });

  it("unsubscribeThisDevice() makes the server forget this device's subscription", async () => {
    // Registered the way subscribeThisDevice() would, with keys made here
    // (this browser cannot make a real subscription: see above).
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const body = { endpoint: `https://push.example.net/e2e/${randomBytes(8).toString("hex")}`, keys: { p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url") } };
    const status = await page.evaluate(async (json) => (await fetch("/api/push/subscribe", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) })).status, body);
    expect(status).toBe(201);
    expect(await serverSaysSubscribed()).toBe(true);
    await page.evaluate(async () => (await (window as unknown as E2eWindow).__e2ePush).unsubscribeThisDevice());
    expect(await serverSaysSubscribed()).toBe(false);
  });
});

describe("a ping from the built app", () => {
  it("reaches the account's other device through the push service, encrypted and content-free", async () => {
    // A second device of this account with a subscription at the stand-in,
    // written straight into the app's database (a second browser could not
    // subscribe either: headless Chromium has no push service).
    const receiver = newReceiver();
    const sqlite = new Database(path.join(app.dataDir, "communisp.db"));
    try {
      const own = sqlite.prepare(`SELECT d.id FROM "Device" d JOIN "User" u ON u.id = d."userId" WHERE u.nickname = ? AND d."revokedAt" IS NULL`).all(person.nickname) as { id: string }[];
      expect(own).toHaveLength(1);
      const other = `e2e${randomBytes(12).toString("hex")}`;
      sqlite
        .prepare(`INSERT INTO "Device" (id, "userId", name, "signPublicKey", "dhPublicKey", home, "createdAt", "lastSeenAt") SELECT ?, "userId", 'other device', "signPublicKey", "dhPublicKey", 0, "createdAt", "lastSeenAt" FROM "Device" WHERE id = ?`)
        .run(other, own[0]!.id);
      sqlite
        .prepare(`INSERT INTO "PushSubscription" (id, "deviceId", endpoint, p256dh, auth, "createdAt") SELECT ?, ?, ?, ?, ?, "createdAt" FROM "Device" WHERE id = ?`)
        .run(`e2e${randomBytes(12).toString("hex")}`, other, pushService.endpoint("other-device"), receiver.keys.p256dh, receiver.keys.auth, other);
    } finally {
      sqlite.close();
    }

    const { status, body, vapidPublicKey } = await page.evaluate(async () => {
      const res = await fetch("/api/push/ping", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ count: 2 }) });
      const client = await (window as unknown as E2eWindow).__e2ePush;
      return { status: res.status, body: (await res.json()) as unknown, vapidPublicKey: (await client.pushStatus()).vapidPublicKey };
    });
    expect({ status, body }).toEqual({ status: 200, body: { sent: 1, removed: 0 } });
    const [push, ...more] = pushService.received();
    expect(more).toEqual([]);
    expect(push!.path).toBe("/push/other-device");
    expect(verifyVapid(push!.headers.authorization, vapidPublicKey).claims.aud).toBe(pushService.origin);
    expect(push!.headers).toMatchObject({ "content-encoding": "aes128gcm", ttl: "3600", urgency: "normal", topic: "ping" });
    expect(decryptAes128gcm(push!.body, receiver).plaintext.toString("utf8")).toBe('{"type":"ping","count":2}');
  });
});

// Headless Chromium has no notification UI, and the DevTools protocol has no
// way to click a notification, so `notificationclick` cannot be triggered in
// the real browser. public/sw.js runs here in a Node vm instead, with the
// worker's global scope stood in for: the handler's own logic, nothing more.
describe("notificationclick (public/sw.js in a Node vm)", () => {
  function loadWorker(windowUrls: string[]) {
    const handlers = new Map<string, (event: unknown) => void>();
    const calls: string[] = [];
    const scope = {
      location: { origin: "https://chat.example" },
      addEventListener: (type: string, handler: (event: unknown) => void) => handlers.set(type, handler),
      skipWaiting: () => undefined,
      registration: { showNotification: async () => undefined },
      clients: {
        claim: async () => undefined,
        matchAll: async (options: unknown) => {
          calls.push(`matchAll ${JSON.stringify(options)}`);
          return windowUrls.map((url) => ({ url, focus: async () => void calls.push(`focus ${url}`), postMessage: (message: unknown) => void calls.push(`postMessage ${JSON.stringify(message)}`) }));
        },
        openWindow: async (url: string) => void calls.push(`openWindow ${url}`),
      },
    };
    vm.runInNewContext(readFileSync(path.join(ROOT, "public/sw.js"), "utf8"), { self: scope, URL });
    return {
      calls,
      async click(data?: unknown): Promise<void> {
        const pending: Promise<unknown>[] = [];
        handlers.get("notificationclick")!({ notification: { data, close: () => calls.push("close") }, waitUntil: (p: Promise<unknown>) => pending.push(p) });
        await Promise.all(pending);
      },
    };
  }

  const matchAll = 'matchAll {"type":"window","includeUncontrolled":true}';

  it("focuses an open /chat window and tells it to show /chat", async () => {
    const worker = loadWorker(["https://chat.example/login", "https://chat.example/settings", "https://chat.example/chat?c=bob"]);
    await worker.click();
    // The window first (it needs the click's permission), the notification closed last.
    expect(worker.calls).toEqual([matchAll, "focus https://chat.example/chat?c=bob", 'postMessage {"type":"open","url":"/chat"}', "close"]);
  });

  it("brings a /settings window to /chat in the page (the messenger runs there: a second tab could not start one)", async () => {
    const worker = loadWorker(["https://chat.example/login", "https://chat.example/settings"]);
    await worker.click();
    expect(worker.calls).toEqual([matchAll, "focus https://chat.example/settings", 'postMessage {"type":"open","url":"/chat"}', "close"]);
  });

  it("opens /chat when no signed-in page is open", async () => {
    const worker = loadWorker(["https://chat.example/login"]);
    await worker.click();
    expect(worker.calls).toEqual([matchAll, "openWindow /chat", "close"]);
  });

  it("opens the conversation a New message notification names", async () => {
    const worker = loadWorker([]);
    await worker.click({ url: "/chat?with=bob_2" });
    expect(worker.calls).toEqual([matchAll, "openWindow /chat?with=bob_2", "close"]);
    const open = loadWorker(["https://chat.example/chat"]);
    await open.click({ url: "/chat?with=bob_2" });
    expect(open.calls).toEqual([matchAll, "focus https://chat.example/chat", 'postMessage {"type":"open","url":"/chat?with=bob_2"}', "close"]);
  });

  it.each([
    ["another origin", "https://evil.example/chat?with=bob"],
    ["another path", "/settings?with=bob"],
    ["a protocol-relative address", "//evil.example/chat"],
    ["an invalid nickname", "/chat?with=<script>"],
    ["extra parameters", "/chat?with=bob&next=https://evil.example"],
    ["not a string", 42],
  ])("goes to plain /chat for %s in the notification's data", async (_what, url) => {
    const worker = loadWorker([]);
    await worker.click({ url });
    expect(worker.calls).toEqual([matchAll, "openWindow /chat", "close"]);
  });
});
