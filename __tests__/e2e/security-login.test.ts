import { statSync } from "node:fs";
import path from "node:path";
import { makeTempDir } from "../support/temp-dir";
import { startApp, type RunningApp } from "./support/app";
import { attemptLogin, Jar, loggedIn, register, type Attempt } from "./support/http-login";

// Login limits attacked over HTTP against the app as `npm start` runs it
// (issue 10). The app trusts one proxy hop (TRUST_PROXY=1), so each scenario
// plays its clients' addresses through X-Forwarded-For as that proxy would
// write it. Each test failed against the code before its fix.

jest.setTimeout(240_000);

const PASSWORD = "correct horse battery";
let app: RunningApp;
const extraApps: RunningApp[] = [];

beforeAll(async () => {
  app = await startApp({ TRUST_PROXY: "1" });
});
afterAll(async () => {
  await Promise.all(extraApps.map((a) => a.stop()));
  await app?.stop();
});

async function statusesOf(n: number, attempt: (i: number) => Promise<Attempt>, stopAt?: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const { status } = await attempt(i);
    statuses.push(status);
    if (status === stopAt) break;
  }
  return statuses;
}

describe("the login limit", () => {
  it("holds whatever the path spelling: /api/auth/callback/credential%73 is limited too", async () => {
    await register(app.url, "erin", PASSWORD);
    const statuses = await statusesOf(40, (i) => attemptLogin(app.url, "erin", `wrong guess ${i}`, { path: "/api/auth/callback/credential%73", forwardedFor: "198.51.100.10" }), 429);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
  });

  it("refuses duplicate form fields with 400, so a decoy nickname cannot take the count", async () => {
    await register(app.url, "frank", PASSWORD);
    for (const rawBody of [
      "nickname=decoy1&nickname=frank&password=wrong+guess+1&csrfToken={csrf}&json=true",
      "nickname=frank&password=wrong+guess+2&password=another+guess&csrfToken={csrf}&json=true",
      "nickname=frank&password=wrong+guess+3&csrfToken={csrf}&csrfToken={csrf}&json=true",
    ]) {
      const result = await attemptLogin(app.url, "", "", { rawBody, forwardedFor: "198.51.100.11" });
      expect(result.status).toBe(400);
      expect(result.body.error?.code).toBe("invalid_input");
    }
    // A decoy per attempt: none of these may reach frank's password unlimited.
    const statuses = await statusesOf(
      12,
      (i) => attemptLogin(app.url, "", "", { rawBody: `nickname=decoy${i}x&nickname=frank&password=guess+${i}+xxxx&csrfToken={csrf}&json=true`, forwardedFor: "198.51.100.12" }),
    );
    expect(statuses.every((s) => s === 400)).toBe(true);
  });

  it("counts the address an attacker cannot choose: a forged leftmost X-Forwarded-For buys no fresh attempts", async () => {
    // 30 attempts per address per 15 minutes, across nicknames.
    const statuses = await statusesOf(
      31,
      (i) => attemptLogin(app.url, `stranger${i}`, "whatever password", { forwardedFor: `10.${i}.${i}.${i}, 203.0.113.99` }),
      429,
    );
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("an attacker guessing the owner's password", () => {
  it("cannot lock the owner out: the owner's browser (device cookie) and a new browser still log in", async () => {
    await register(app.url, "olive", PASSWORD);
    const ownersBrowser = new Jar();
    expect(loggedIn(await attemptLogin(app.url, "olive", PASSWORD, { jar: ownersBrowser, forwardedFor: "192.0.2.50" }))).toBe(true);

    // Wrong guesses from three addresses until each is refused.
    for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      const statuses = await statusesOf(12, (i) => attemptLogin(app.url, "olive", `attacker guess ${i}`, { forwardedFor: address }), 429);
      expect(statuses.at(-1)).toBe(429);
    }

    const owner = await attemptLogin(app.url, "olive", PASSWORD, { jar: ownersBrowser, forwardedFor: "192.0.2.50" });
    expect(owner.status).toBe(200);
    expect(loggedIn(owner)).toBe(true);
    const newBrowser = await attemptLogin(app.url, "olive", PASSWORD, { forwardedFor: "192.0.2.51" });
    expect(loggedIn(newBrowser)).toBe(true);
  });
});

describe("limits kept in the database", () => {
  it("hold across a restart and across two instances sharing the database", async () => {
    const data = makeTempDir("shared-data");
    const shared = { TRUST_PROXY: "1", DATA_DIR: data.dir, DATABASE_URL: `file:${data.dir}/communisp.db` };
    try {
      const first = await startApp(shared);
      extraApps.push(first);
      await register(first.url, "pam", PASSWORD);
      const statuses = await statusesOf(12, (i) => attemptLogin(first.url, "pam", `wrong guess ${i}`, { forwardedFor: "198.51.100.60" }), 429);
      expect(statuses.at(-1)).toBe(429);

      const second = await startApp(shared);
      extraApps.push(second);
      expect((await attemptLogin(second.url, "pam", "wrong guess again", { forwardedFor: "198.51.100.60" })).status).toBe(429);

      await first.stop();
      await second.stop();
      const restarted = await startApp(shared);
      extraApps.push(restarted);
      const after = await attemptLogin(restarted.url, "pam", "wrong guess after restart", { forwardedFor: "198.51.100.60" });
      expect(after.status).toBe(429);
      expect(after.retryAfter).toBeGreaterThan(0);
    } finally {
      await Promise.all(extraApps.splice(0).map((a) => a.stop()));
      data.remove();
    }
  });
});

describe("the running app", () => {
  it("answers /api/users/%25E0 with 400 (Next decodes the path once; the app does not decode it again)", async () => {
    await register(app.url, "quinn", PASSWORD);
    const jar = new Jar();
    expect(loggedIn(await attemptLogin(app.url, "quinn", PASSWORD, { jar, forwardedFor: "198.51.100.70" }))).toBe(true);
    const res = await fetch(`${app.url}/api/users/%25E0`, { headers: { cookie: jar.header() } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
    expect((await fetch(`${app.url}/api/users/quinn`)).status).toBe(401);
  });

  it("keeps its database owner-only (0600)", () => {
    expect((statSync(path.join(app.dataDir, "communisp.db")).mode & 0o777).toString(8)).toBe("600");
  });
});
