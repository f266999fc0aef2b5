import { migrate, params, request, sessionCookie, useTestDatabase } from "../../support/test-env";

// Every route that takes a body, held to the same contract at its edges:
// malformed JSON, wrong types and oversized bodies are refused with their
// documented status and a JSON error, and a missing session is a 401.

const database = useTestDatabase();
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");

type Handler = (req: Request, context: unknown) => Promise<Response>;
interface RouteCase {
  name: string;
  method: string;
  path: string;
  handler: () => Handler;
  context?: () => unknown;
  session: "none" | "user" | "device";
  wrongTypes: unknown;
}

const load = <T>(path: string) => require(path) as T;
const cases: RouteCase[] = [
  { name: "POST /api/register", method: "POST", path: "/api/register", handler: () => load<{ POST: Handler }>("@/app/api/register/route").POST, session: "none", wrongTypes: { nickname: ["a"], password: 5 } },
  { name: "POST /api/devices", method: "POST", path: "/api/devices", handler: () => load<{ POST: Handler }>("@/app/api/devices/route").POST, session: "user", wrongTypes: { name: 1, signPublicKey: null, dhPublicKey: {} } },
  { name: "PATCH /api/devices/:id", method: "PATCH", path: "/api/devices/x", handler: () => load<{ PATCH: Handler }>("@/app/api/devices/[id]/route").PATCH, context: () => params({ id: deviceId }), session: "user", wrongTypes: { home: "yes" } },
  { name: "POST /api/signal", method: "POST", path: "/api/signal", handler: () => load<{ POST: Handler }>("@/app/api/signal/route").POST, session: "device", wrongTypes: { to: 1, type: "offer", data: [] } },
  { name: "POST /api/push/ping", method: "POST", path: "/api/push/ping", handler: () => load<{ POST: Handler }>("@/app/api/push/ping/route").POST, session: "device", wrongTypes: { count: "many" } },
  { name: "POST /api/push/subscribe", method: "POST", path: "/api/push/subscribe", handler: () => load<{ POST: Handler }>("@/app/api/push/subscribe/route").POST, session: "device", wrongTypes: { endpoint: 42, keys: "none" } },
  { name: "POST /api/session/device", method: "POST", path: "/api/session/device", handler: () => load<{ POST: Handler }>("@/app/api/session/device/route").POST, session: "user", wrongTypes: { deviceId: 7, signature: [] } },
  { name: "POST /api/account/password", method: "POST", path: "/api/account/password", handler: () => load<{ POST: Handler }>("@/app/api/account/password/route").POST, session: "user", wrongTypes: { currentPassword: 1, newPassword: null } },
];

let userCookie = "";
let deviceCookie = "";
let deviceId = "";

beforeAll(async () => {
  await migrate(database.url);
  const user = await db().user.create({ data: { nickname: "edgy", passwordHash: "$scrypt$unused" } });
  const device = await db().device.create({ data: { userId: user.id, name: "edge", signPublicKey: "s", dhPublicKey: "d" } });
  deviceId = device.id;
  userCookie = await sessionCookie({ userId: user.id, nickname: "edgy" });
  deviceCookie = await sessionCookie({ userId: user.id, nickname: "edgy", deviceId: device.id });
});
afterAll(async () => {
  await db().$disconnect();
  database.cleanup();
});

const cookieFor = (c: RouteCase) => (c.session === "device" ? deviceCookie : c.session === "user" ? userCookie : undefined);
const call = (c: RouteCase, opts: Parameters<typeof request>[2]) => c.handler()(request(c.method, c.path, { cookie: cookieFor(c), ...opts }), c.context?.() ?? {});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe.each(cases)("$name", (c) => {
  it("refuses malformed JSON with 400 invalid_json", async () => {
    const res = await call(c, { body: '{"broken": ' });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_json" });
  });

  it("refuses wrong types with 400 invalid_input naming a field", async () => {
    const res = await call(c, { json: c.wrongTypes });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/^[a-zA-Z.0-9]+: /);
  });

  it("refuses a body over 16 KiB with 413", async () => {
    const res = await call(c, { json: { padding: "x".repeat(16 * 1024) } });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "payload_too_large" });
  });

  if (c.session !== "none") {
    it("refuses a request without a session with 401", async () => {
      const res = await c.handler()(request(c.method, c.path, { json: c.wrongTypes }), c.context?.() ?? {});
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({ code: "unauthorized" });
    });
  }

  it("never answers with a stack trace or HTML", async () => {
    const res = await call(c, { body: "\u0000\u0001garbage" });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.text()).not.toMatch(/at .+\(.+:\d+:\d+\)|<html/i);
  });
});
