import fc from "fast-check";
import { encode } from "next-auth/jwt";
import nacl from "tweetnacl";
import webpush from "web-push";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { newReceiver } from "../push/support/web-push-receiver";
import { migrate, params, sessionCookie, useTestDatabase } from "../../support/test-env";
import { formBodies, jsonBodies, pathParams, requests, toNextRequest, type GeneratedRequest } from "./support/requests";
import { snapshot } from "./support/snapshot";

// Every route handler of the API, fuzzed with fast-check in-process against a
// real SQLite file, the real built-in signaling server and real sessions
// (issue 10). For each generated request: no 5xx; an error answer is the one
// {error:{code,message}} JSON shape; and a refused request (4xx) leaves
// accounts, devices, sessions and push subscriptions exactly as they were.
// FUZZ_RUNS (default 1000) cases per route; FUZZ_SEED replays a failure, whose
// seed and path fast-check prints.

jest.setTimeout(600_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const database = useTestDatabase();
const vapid = webpush.generateVAPIDKeys();
const signalingApp = { id: "7777", key: "fuzz-key", secret: "fuzz-secret" };
Object.assign(process.env, { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: "mailto:fuzz@communisp.test" });

type Handler = (req: Request, context: unknown) => Promise<Response>;
const load = <T>(path: string) => require(path) as T;
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { hashPassword } = require("@/lib/auth/password") as typeof import("@/lib/auth/password");
const { setLimiter, RATE_RULES } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");
const { DbRateLimiter } = require("@/lib/auth/db-rate-limiter") as typeof import("@/lib/auth/db-rate-limiter");
const { configurePush } = require("@/lib/push/sender") as typeof import("@/lib/push/sender");

let signaling: PusherServer;
const ids: Record<string, string> = {};
let cookies: (string | undefined)[] = [];

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b64);
const keyish = fc.oneof(key32, fc.string({ maxLength: 50 }));
const nicknameish = fc.oneof(fc.constantFrom("alice", "bob", "nobody", "ALICE"), fc.stringMatching(/^[a-z0-9_-]{3,24}$/), fc.string({ maxLength: 30 }));
const deviceIdish = () => fc.oneof(fc.constantFrom(...Object.values(ids)), fc.stringMatching(/^[a-z0-9]{20,40}$/), fc.string({ maxLength: 45 }));
const anyOf = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, fc.jsonValue({ maxDepth: 2 }));
const receivers = Array.from({ length: 3 }, () => newReceiver().keys);

interface RouteCase {
  name: string;
  method: string;
  path: (params: Record<string, string>) => string;
  handler: () => Handler;
  params?: () => fc.Arbitrary<Record<string, string>>;
  body?: () => fc.Arbitrary<GeneratedRequest["body"]>;
  form?: boolean;
  /** Which answers the generated requests must include, so a run that never got past the first check cannot pass. */
  reaches?: { success: boolean; refusal: boolean };
}

const route = (path: string, method: string) => () => load<Record<string, Handler>>(path)[method]!;

const cases: RouteCase[] = [
  {
    name: "POST /api/register",
    method: "POST",
    path: () => "/api/register",
    handler: route("@/app/api/register/route", "POST"),
    body: () => jsonBodies(fc.record({ nickname: nicknameish, password: fc.string({ maxLength: 40 }) }, { requiredKeys: [] })),
  },
  { name: "GET /api/devices", method: "GET", path: () => "/api/devices", handler: route("@/app/api/devices/route", "GET") },
  {
    name: "POST /api/devices",
    method: "POST",
    path: () => "/api/devices",
    handler: route("@/app/api/devices/route", "POST"),
    body: () => jsonBodies(fc.record({ name: fc.oneof(fc.constantFrom("laptop", "Chrome on Linux"), fc.string({ maxLength: 70 })), signPublicKey: keyish, dhPublicKey: keyish }, { requiredKeys: [] })),
  },
  {
    name: "PATCH /api/devices/:id",
    method: "PATCH",
    path: (p) => `/api/devices/${encodeURIComponent(p.id!)}`,
    handler: route("@/app/api/devices/[id]/route", "PATCH"),
    params: () => fc.record({ id: pathParams(deviceIdish()) }),
    body: () => jsonBodies(fc.record({ name: fc.string({ maxLength: 70 }), home: anyOf(fc.boolean()) }, { requiredKeys: [] })),
  },
  {
    name: "DELETE /api/devices/:id",
    method: "DELETE",
    path: (p) => `/api/devices/${encodeURIComponent(p.id!)}`,
    handler: route("@/app/api/devices/[id]/route", "DELETE"),
    // Never a device whose session the fuzzer signs in with: revoking it would end that session for every later case.
    params: () => fc.record({ id: pathParams(fc.oneof(fc.constantFrom(ids.aliceSpare!, ids.bobSpare!, ids.aliceRevoked!), fc.stringMatching(/^[a-z0-9]{20,40}$/))) }),
  },
  { name: "GET /api/health", method: "GET", path: () => "/api/health", handler: route("@/app/api/health/route", "GET"), reaches: { success: true, refusal: false } },
  {
    name: "POST /api/push/ping",
    method: "POST",
    path: () => "/api/push/ping",
    handler: route("@/app/api/push/ping/route", "POST"),
    body: () => jsonBodies(fc.record({ count: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [] })),
  },
  { name: "GET /api/push/subscribe", method: "GET", path: () => "/api/push/subscribe", handler: route("@/app/api/push/subscribe/route", "GET") },
  {
    name: "POST /api/push/subscribe",
    method: "POST",
    path: () => "/api/push/subscribe",
    handler: route("@/app/api/push/subscribe/route", "POST"),
    body: () =>
      jsonBodies(
        fc.record(
          {
            endpoint: fc.oneof(fc.constantFrom("https://fcm.googleapis.com/fcm/send/fuzz", "https://127.0.0.1:9443/x", "https://[::1]/x", "http://fcm.googleapis.com/x"), fc.webUrl(), fc.string({ maxLength: 40 })),
            keys: fc.oneof(fc.constantFrom(...receivers), fc.record({ p256dh: fc.string({ maxLength: 90 }), auth: fc.string({ maxLength: 30 }) }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
      ),
  },
  {
    name: "DELETE /api/push/subscribe",
    method: "DELETE",
    path: () => "/api/push/subscribe",
    handler: route("@/app/api/push/subscribe/route", "DELETE"),
    body: () => jsonBodies(fc.record({ endpoint: fc.oneof(fc.webUrl(), fc.string({ maxLength: 40 })) }, { requiredKeys: [] })),
  },
  {
    name: "POST /api/pusher/auth",
    method: "POST",
    path: () => "/api/pusher/auth",
    handler: route("@/app/api/pusher/auth/route", "POST"),
    form: true,
    body: () =>
      formBodies(
        fc
          .tuple(
            fc.oneof(fc.stringMatching(/^\d{1,20}\.\d{1,20}$/), fc.string({ maxLength: 30 })),
            fc.oneof(fc.constantFrom("presence-user-alice", "presence-user-bob", "private-x", "public"), fc.string({ maxLength: 60 })),
            fc.boolean(),
          )
          .map(([socket, channel, twice]): [string, string][] => [["socket_id", socket], ["channel_name", channel], ...(twice ? ([["channel_name", "presence-user-bob"]] as [string, string][]) : [])]),
      ),
  },
  {
    name: "POST /api/signal",
    method: "POST",
    // Nobody is online in the fuzzer, so the best a signal gets is 404/409 from behind every check.
    reaches: { success: false, refusal: true },
    path: () => "/api/signal",
    handler: route("@/app/api/signal/route", "POST"),
    body: () =>
      jsonBodies(
        fc.record({ to: nicknameish, toDevice: deviceIdish(), type: fc.constantFrom("offer", "answer", "candidate", "bye", "message"), data: fc.string({ maxLength: 100 }) }, { requiredKeys: ["to", "type", "data"] }),
      ),
  },
  {
    name: "GET /api/users/:nickname",
    method: "GET",
    path: (p) => `/api/users/${encodeURIComponent(p.nickname!)}`,
    handler: route("@/app/api/users/[nickname]/route", "GET"),
    params: () => fc.record({ nickname: pathParams(nicknameish) }),
  },
  {
    name: "GET /api/users/:nickname/presence",
    method: "GET",
    path: (p) => `/api/users/${encodeURIComponent(p.nickname!)}/presence`,
    handler: route("@/app/api/users/[nickname]/presence/route", "GET"),
    params: () => fc.record({ nickname: pathParams(nicknameish) }),
  },
  { name: "POST /api/session/challenge", method: "POST", path: () => "/api/session/challenge", handler: route("@/app/api/session/challenge/route", "POST"), body: () => jsonBodies(fc.constant({})) },
  {
    name: "POST /api/session/device",
    method: "POST",
    path: () => "/api/session/device",
    handler: route("@/app/api/session/device/route", "POST"),
    body: () => jsonBodies(fc.record({ deviceId: deviceIdish(), signature: fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }).map(b64), fc.string({ maxLength: 90 })) }, { requiredKeys: [] })),
  },
  {
    name: "POST /api/account/password",
    method: "POST",
    reaches: { success: false, refusal: true },
    path: () => "/api/account/password",
    handler: route("@/app/api/account/password/route", "POST"),
    // Never the real current password: a success would end the sessions the later cases sign in with.
    body: () => jsonBodies(fc.record({ currentPassword: fc.string({ maxLength: 40 }).filter((p) => p !== PASSWORD), newPassword: fc.string({ maxLength: 40 }) }, { requiredKeys: [] })),
  },
];

const PASSWORD = "fuzzing is fun, fuzzing is fast";

async function fixtures(): Promise<void> {
  // Cheap scrypt parameters (read back from the hash), so checking a wrong current password costs microseconds.
  const passwordHash = await hashPassword(PASSWORD, { logN: 10, r: 8, p: 1 });
  const alice = await db().user.create({ data: { nickname: "alice", passwordHash } });
  const bob = await db().user.create({ data: { nickname: "bob", passwordHash } });
  const device = async (userId: string, name: string, revoked = false) =>
    (await db().device.create({ data: { userId, name, signPublicKey: b64(nacl.sign.keyPair().publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey), revokedAt: revoked ? new Date() : null } })).id;
  ids.aliceMain = await device(alice.id, "alice main");
  ids.aliceSpare = await device(alice.id, "alice spare");
  ids.aliceRevoked = await device(alice.id, "alice revoked", true);
  ids.bobMain = await device(bob.id, "bob main");
  ids.bobSpare = await device(bob.id, "bob spare");
  const ended = await sessionCookie({ userId: alice.id, nickname: "alice" });
  await db().session.deleteMany({ where: { deviceId: null, userId: alice.id } });
  const forged = await encode({ secret: "another-secret-another-secret-another-secret", token: { sub: alice.id, nickname: "alice", sid: "x" } });
  cookies = [
    undefined,
    await sessionCookie({ userId: alice.id, nickname: "alice" }),
    await sessionCookie({ userId: alice.id, nickname: "alice", deviceId: ids.aliceMain }),
    await sessionCookie({ userId: bob.id, nickname: "bob", deviceId: ids.bobMain }),
    await sessionCookie({ userId: alice.id, nickname: "alice", deviceId: ids.aliceRevoked }),
    ended,
    `next-auth.session-token=${forged}`,
    "next-auth.session-token=",
    "next-auth.session-token=garbage; other=1",
  ];
}

beforeAll(async () => {
  signaling = createPusherServer({ app: signalingApp });
  const { port } = await signaling.listen(0);
  Object.assign(process.env, { PUSHER_APP_ID: signalingApp.id, PUSHER_KEY: signalingApp.key, PUSHER_SECRET: signalingApp.secret, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: String(port), PUSHER_USE_TLS: "false" });
  await migrate(database.url);
  await fixtures();
  // Limits stay in the database, but roomy, so that generated requests reach
  // the code behind them; registration keeps its real rule, so at most a
  // handful of the generated sign-ups pay for a 128 MiB scrypt hash.
  for (const name of ["lookupPerUser", "presencePerUser", "signalPerDevice", "pushPingPerUser", "passwordChangePerUser"] as const) {
    setLimiter(name, new DbRateLimiter(db, name, { limit: 1_000_000, windowMs: RATE_RULES[name].windowMs }));
  }
  // No push request ever leaves the machine: every push host "fails to resolve".
  configurePush({ resolve: () => Promise.reject(new Error("no network in the fuzzer")) });
});
afterAll(async () => {
  configurePush();
  await signaling?.close();
  await db().$disconnect();
  database.cleanup();
});

const isErrorShape = (body: unknown) => {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string" && Object.keys(body as object).length === 1;
};

describe.each(cases)("$name", (c) => {
  it(`answers ${RUNS} generated requests without a 5xx, and a refused one changes nothing`, async () => {
    const statuses = new Map<number, number>();
    const generated = fc.record({
      request: requests({
        method: c.method,
        body: c.body?.() ?? fc.constant(null),
        contentType: c.form ? fc.oneof({ weight: 5, arbitrary: fc.constant("application/x-www-form-urlencoded") }, fc.constantFrom("application/json", undefined, "text/plain")) : undefined,
        // Mostly a live session (or there is little to reach), often anything else.
        cookies: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...cookies.slice(1, 4)) }, { weight: 2, arbitrary: fc.constantFrom(...cookies) }),
      }),
      params: c.params?.() ?? fc.constant({} as Record<string, string>),
    });
    await fc.assert(
      fc.asyncProperty(generated, async ({ request, params: p }) => {
        const before = await snapshot(db());
        const res = await c.handler()(toNextRequest(c.path(p), request), params(p));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${res.status}: ${await res.text()}`);
        if (res.status >= 400) {
          const body: unknown = await res.json();
          if (!isErrorShape(body)) throw new Error(`error answer without the {error:{code,message}} shape: ${JSON.stringify(body)}`);
          const after = await snapshot(db());
          if (after !== before) throw new Error(`a refused request (${res.status} ${JSON.stringify(body)}) changed the database`);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    if (process.env.FUZZ_STATS) console.log(c.name, JSON.stringify([...statuses].sort()));
    const codes = [...statuses.keys()];
    const reaches = c.reaches ?? { success: true, refusal: true };
    if (reaches.success) expect(codes.some((s) => s < 300)).toBe(true);
    if (reaches.refusal) expect(codes.some((s) => s >= 400)).toBe(true);
  });
});
