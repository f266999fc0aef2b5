import { createHmac } from "node:crypto";
import { migrate, request, sessionCookie, useTestDatabase } from "../../support/test-env";

// GET /api/ice-servers: the STUN/TURN servers a signed-in device uses, with
// TURN credentials minted for that device in coturn's REST scheme.

const database = useTestDatabase();
const TURN_SECRET = "integration-turn-secret-0123";
Object.assign(process.env, { NEXTAUTH_URL: "http://chat.example.org:3000", TURN_URLS: "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349", TURN_SECRET, TURN_TTL: "900" });

const route = require("@/app/api/ice-servers/route") as typeof import("@/app/api/ice-servers/route");
const { db } = require("@/lib/db/client") as typeof import("@/lib/db/client");
const { announceBuiltinStun } = require("@/lib/ice/builtin-stun") as typeof import("@/lib/ice/builtin-stun");
const { iceConfigSchema } = require("@/lib/ice/schemas") as typeof import("@/lib/ice/schemas");
const { RATE_RULES } = require("@/lib/auth/limits") as typeof import("@/lib/auth/limits");

let deviceCookie = "";
let userCookie = "";
let deviceId = "";

beforeAll(async () => {
  await migrate(database.url);
  const user = await db().user.create({ data: { nickname: "icy", passwordHash: "$scrypt$unused" } });
  deviceId = (await db().device.create({ data: { userId: user.id, name: "icy's phone", signPublicKey: "s", dhPublicKey: "d" } })).id;
  deviceCookie = await sessionCookie({ userId: user.id, nickname: "icy", deviceId });
  userCookie = await sessionCookie({ userId: user.id, nickname: "icy" });
});
afterAll(async () => {
  announceBuiltinStun(null);
  await db().$disconnect();
  database.cleanup();
});

const get = (cookie?: string) => route.GET(request("GET", "/api/ice-servers", { cookie }), {});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("GET /api/ice-servers", () => {
  it("mints short-lived TURN credentials for the calling device that verify with the shared secret", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await get(deviceCookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = iceConfigSchema.parse(await res.json());
    expect(body.turn).toBe(true);
    expect(body.ttlSeconds).toBe(900);
    const turn = body.iceServers.find((s) => JSON.stringify(s.urls).includes("turn:"))!;
    expect(turn.urls).toEqual(["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]);
    const [expiry, who] = turn.username!.split(":");
    expect(who).toBe(deviceId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 900);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 900);
    // What coturn computes from its static-auth-secret:
    expect(turn.credential).toBe(createHmac("sha1", TURN_SECRET).update(turn.username!).digest("base64"));
    expect(JSON.stringify(body)).not.toContain(TURN_SECRET);
  });

  it("points browsers at the built-in STUN responder on the public host when this process runs one, and not otherwise", async () => {
    announceBuiltinStun(3478);
    const running = iceConfigSchema.parse(await (await get(deviceCookie)).json());
    expect(running.iceServers[0]).toEqual({ urls: "stun:chat.example.org:3478" });
    announceBuiltinStun(null);
    const hosted = iceConfigSchema.parse(await (await get(deviceCookie)).json());
    expect(hosted.iceServers.some((s) => JSON.stringify(s.urls).includes("stun:"))).toBe(false);
  });

  it("answers 401 without a session and 403 for a session with no device yet", async () => {
    const none = await get();
    expect(none.status).toBe(401);
    expect(await errorOf(none)).toMatchObject({ code: "unauthorized" });
    const deviceless = await get(userCookie);
    expect(deviceless.status).toBe(403);
    expect(await errorOf(deviceless)).toMatchObject({ code: "no_device" });
  });

  it("rate-limits one device with 429 and Retry-After", async () => {
    let res: Response | undefined;
    for (let i = 0; i <= RATE_RULES.iceServersPerDevice.limit; i++) res = await get(deviceCookie);
    expect(res!.status).toBe(429);
    expect(Number(res!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(res!)).toMatchObject({ code: "rate_limited" });
  });
});
