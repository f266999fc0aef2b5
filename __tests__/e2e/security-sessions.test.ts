import nacl from "tweetnacl";
import { castOf } from "./support/cast";
import { logIn, openSettings, signUp, type Person } from "./support/people";

// A thief with a copy of a session cookie (issue 10): after the owner signs
// out, or revokes the device the cookie belongs to, the copy must be worth
// nothing. The people here are real Chromium browsers using the real pages;
// the thief replays their cookies from outside.

jest.setTimeout(240_000);

const cast = castOf();


const cookieHeader = async (p: Person) => (await p.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
const thisDevice = (p: Person) => p.page.evaluate(async () => ((await (await fetch("/api/auth/session")).json()) as { user: { deviceId: string } }).user.deviceId);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** What a stolen cookie can still do: the status of each thing a thief would try. */
async function replay(cookie: string, nickname: string, deviceId: string) {
  const call = (path: string, init: RequestInit = {}) => fetch(`${cast.app.url}${path}`, { ...init, headers: { cookie, ...init.headers } }).then((r) => r.status);
  const json = (method: string, body: unknown) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return {
    listDevices: await call("/api/devices"),
    registerDevice: await call("/api/devices", json("POST", { name: "thief", signPublicKey: b64(nacl.sign.keyPair().publicKey), dhPublicKey: b64(nacl.box.keyPair().publicKey) })),
    claimHome: await call(`/api/devices/${deviceId}`, json("PATCH", { home: true })),
    channelAuth: await call("/api/pusher/auth", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ socket_id: "123.456", channel_name: `presence-user-${nickname}` }).toString(),
    }),
    signal: await call("/api/signal", json("POST", { to: nickname, type: "offer", data: "v=0" })),
  };
}

const allRefused = { listDevices: 401, registerDevice: 401, claimHome: 401, channelAuth: 401, signal: 401 };

describe("a copied session cookie", () => {
  it("is worthless once its owner logs out", async () => {
    const gwen = await cast.launch("gwen");
    await signUp(gwen, cast.app.url);
    const deviceId = await thisDevice(gwen);
    const stolen = await cookieHeader(gwen);

    await openSettings(gwen);
    await gwen.page.getByRole("button", { name: "Log out" }).click();
    await gwen.page.waitForURL(`${cast.app.url}/login`);

    expect(await replay(stolen, "gwen", deviceId)).toEqual(allRefused);
    const devices = await fetch(`${cast.app.url}/api/devices`, { headers: { cookie: stolen } });
    expect(await devices.json()).toEqual({ error: { code: "unauthorized", message: "Sign in first." } });
  });

  it("is worthless once the owner revokes the device it belongs to", async () => {
    const home = await cast.launch("hank");
    await signUp(home, cast.app.url);
    const laptop = await cast.launch("hank");
    await logIn(laptop, cast.app.url);
    const laptopId = await thisDevice(laptop);
    const homeId = await thisDevice(home);
    const stolen = await cookieHeader(laptop);

    const revoked = await home.page.evaluate(async (id) => (await fetch(`/api/devices/${id}`, { method: "DELETE" })).status, laptopId);
    expect(revoked).toBe(204);

    expect(await replay(stolen, "hank", homeId)).toEqual(allRefused);
    // The owner's own session is untouched.
    expect(await home.page.evaluate(async () => (await fetch("/api/devices")).status)).toBe(200);
  });
});
