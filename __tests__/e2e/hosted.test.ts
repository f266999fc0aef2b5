import { randomBytes } from "node:crypto";
import path from "node:path";
import webpush from "web-push";
import { ensureLocalTls } from "@/lib/tls/local-ca";
import { startSoketi, type Target } from "../integration/signaling/support/targets";
import { startHranaServer, type HranaServer } from "../support/hrana-server";
import { makeTempDir } from "../support/temp-dir";
import { freePort } from "./support/app";
import { migrateDatabase, startInstance, startLoadBalancer, type HostedInstance, type LoadBalancer } from "./support/hosted";
import { closePeople, connectTo, launchPerson, logIn, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { becomeHomeRelay, enableLogs, expectLogCount, requestLogs, retrievedLogs } from "./support/relay";
import { homeTrusting, type TrustingHome } from "./support/trust-store";
import { eventually } from "./support/wait";

// A Vercel-style deployment: `next build` + `next start` only, two instances
// behind a round-robin load balancer, signaling through soketi over TLS
// (standing in for hosted Pusher), the database over libSQL's HTTP protocol
// (the Hrana stand-in serving a SQLite file, standing in for Turso) and
// migrated by the release step. Configuration that cannot work stops an
// instance at start.

jest.setTimeout(300_000);

const PASSPHRASE = "a long log passphrase nobody guesses";
const temp = makeTempDir("hosted");
const vapid = webpush.generateVAPIDKeys();
const APP = { id: "hosted-app", key: "hosted-key", secret: randomBytes(16).toString("hex") };
const people: Person[] = [];
const instances: HostedInstance[] = [];
let soketi: Target;
let balancer: LoadBalancer;
let trusting: TrustingHome;
let tlsCaPem: string;
let hrana: HranaServer;
let database: { DATABASE_URL: string; DATABASE_AUTH_TOKEN: string };

function hostedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    PUSHER_APP_ID: APP.id,
    PUSHER_KEY: APP.key,
    PUSHER_SECRET: APP.secret,
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    TRUST_PROXY: "true",
    NODE_EXTRA_CA_CERTS: path.join(temp.dir, "tls", "ca.crt"),
    ...extra,
  };
}

async function instance(env: Record<string, string>, port?: number): Promise<HostedInstance> {
  const started = await startInstance(port ?? (await freePort()), env);
  instances.push(started);
  return started;
}

beforeAll(async () => {
  // soketi's certificate for localhost, from a CA the test's browsers and Node trust.
  const tls = ensureLocalTls(path.join(temp.dir, "tls"), { names: ["localhost"], ips: ["127.0.0.1"] });
  tlsCaPem = tls.caCertPem;
  soketi = await startSoketi({ app: APP, tls: { certPath: path.join(temp.dir, "tls", "server.crt"), keyPath: path.join(temp.dir, "tls", "server.key"), caPem: tlsCaPem } });
  trusting = homeTrusting([{ name: "test CA", pem: tlsCaPem }]);
  const token = randomBytes(24).toString("base64url");
  hrana = await startHranaServer({ file: path.join(temp.dir, "hosted.db"), authToken: token });
  database = { DATABASE_URL: hrana.url, DATABASE_AUTH_TOKEN: token };
});

afterAll(async () => {
  await closePeople(people);
  await Promise.all(instances.map((i) => i.stop()));
  await balancer?.close();
  await soketi?.stop();
  await hrana?.close();
  trusting?.remove();
  temp.remove();
});

describe("configuration that cannot work stops an instance at start, saying why", () => {
  const signaling = { PUSHER_HOST: "localhost", PUSHER_PORT: "6001", PUSHER_USE_TLS: "true", NEXTAUTH_URL: "http://127.0.0.1:9" };

  it("without DATABASE_URL (no silent empty database)", async () => {
    const started = await instance(hostedEnv(signaling));
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/CommunisP cannot start[\s\S]*DATABASE_URL is missing/);
  });

  it("on a database the release step did not migrate", async () => {
    const started = await instance(hostedEnv({ ...signaling, DATABASE_URL: `file:${path.join(temp.dir, "empty.db")}` }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/lacks \d+ migration\(s\)[\s\S]*npm run db:migrate/);
  });

  it("without an external signaling service or its credentials", async () => {
    const noSignaling = await instance(hostedEnv({ ...database, NEXTAUTH_URL: "http://127.0.0.1:9" }));
    expect(await noSignaling.exited).toBe(1);
    expect(noSignaling.output()).toMatch(/No signaling service: the built-in one runs only under `npm start`/);
    const { PUSHER_SECRET: _, ...withoutSecret } = hostedEnv({ ...signaling, ...database });
    const noSecret = await instance(withoutSecret);
    expect(await noSecret.exited).toBe(1);
    expect(noSecret.output()).toMatch(/PUSHER_SECRET is missing/);
  });
});

describe("two instances behind a load balancer, soketi over TLS, the database over libSQL HTTP", () => {
  beforeAll(async () => {
    await migrateDatabase(database);
    const ports = [await freePort(), await freePort()];
    balancer = await startLoadBalancer(ports);
    const env = hostedEnv({ ...database, PUSHER_HOST: "localhost", PUSHER_PORT: String(soketi.port), PUSHER_USE_TLS: "true", NEXTAUTH_URL: balancer.url });
    // Every instance shares the secrets, as a platform's environment settings would give them.
    for (const port of ports) {
      const started = await instance(env, port);
      if (!started.ready) throw new Error(`an instance did not start:\n${started.output()}`);
    }
  });

  async function person(nickname: string, phone = false): Promise<Person> {
    const p = await launchPerson(nickname, { home: trusting.home, ...(phone ? { viewport: { width: 375, height: 812 }, isMobile: true } : {}) });
    people.push(p);
    return p;
  }

  async function delivered(p: Person, text: string) {
    await eventually(() => messages(p), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, 60_000);
  }

  it("runs the walkthrough, with requests spread over both instances and signaling over wss to soketi", async () => {
    const alice = await person("alice");
    const sockets: string[] = [];
    alice.page.on("websocket", (ws) => sockets.push(ws.url()));
    await signUp(alice, balancer.url);
    expect(sockets.some((url) => url.startsWith(`wss://localhost:${soketi.port}/app/${APP.key}`))).toBe(true);
    await becomeHomeRelay(alice);
    await enableLogs(alice, PASSPHRASE);

    const bob = await person("bob");
    await signUp(bob, balancer.url);
    await connectTo(bob, "alice");
    await waitForConnection(bob, "direct");
    await send(bob, "Bob via the hosted app: lunch tomorrow?");
    await delivered(bob, "Bob via the hosted app: lunch tomorrow?");
    await expectLogCount(alice, 1);

    const phone = await person("alice", true);
    await logIn(phone, balancer.url);
    expect(await requestLogs(phone, "Retrieve logs", PASSPHRASE)).toBe("Retrieved 1 message.");
    expect(await retrievedLogs(phone)).toEqual({ bob: ["Bob via the hosted app: lunch tomorrow?"] });
    await connectTo(phone, "bob");
    await waitForConnection(phone, "direct");
    await send(phone, "Alice's phone via the hosted app: yes, noon");
    await delivered(phone, "Alice's phone via the hosted app: yes, noon");

    const counts = [...balancer.served.values()];
    expect(counts.every((n) => n > 20)).toBe(true);
    // Accounts and devices lived in the libSQL database, reached over HTTP.
    expect(hrana.pipelinesServed()).toBeGreaterThan(20);
  });
});

describe("hosted Pusher by cluster", () => {
  it("has the browser dial wss://ws-CLUSTER.pusher.com, not the app's own host", async () => {
    const port = await freePort();
    const ownDatabase = `file:${path.join(temp.dir, "cluster.db")}`;
    await migrateDatabase({ DATABASE_URL: ownDatabase });
    const started = await instance(hostedEnv({ DATABASE_URL: ownDatabase, PUSHER_CLUSTER: "eu", NEXTAUTH_URL: `http://127.0.0.1:${port}` }), port);
    expect(started.ready).toBe(true);
    const carol = await launchPerson("carol");
    people.push(carol);
    // Answered inside the page (Playwright replaces the page's WebSocket), so
    // the test records where pusher-js dials without any traffic leaving.
    const sockets: string[] = [];
    await carol.page.routeWebSocket(/^wss?:\/\//, (ws) => {
      sockets.push(ws.url());
      ws.close();
    });
    await carol.page.goto(`http://127.0.0.1:${port}/signup`);
    await carol.page.getByLabel("Nickname").fill("carol");
    await carol.page.getByLabel("Password").fill("correct horse battery staple");
    await carol.page.getByRole("button", { name: "Sign up" }).click();
    await carol.page.waitForURL(`http://127.0.0.1:${port}/chat`);
    const url = new URL(await eventually(async () => sockets[0] ?? "", (u) => u !== "", "a WebSocket to be opened", 30_000));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(`wss://ws-eu.pusher.com/app/${APP.key}`);
  });
});
