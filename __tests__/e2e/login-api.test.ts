import { startApp, type RunningApp } from "./support/app";

// Login goes through next-auth, which only runs inside the real app: these
// tests speak HTTP to it as a browser would.

jest.setTimeout(120_000);
let app: RunningApp;

beforeAll(async () => {
  app = await startApp();
  const res = await fetch(`${app.url}/api/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nickname: "dora", password: "correct horse battery" }) });
  expect(res.status).toBe(201);
});
afterAll(() => app?.stop());

class Jar {
  private cookies = new Map<string, string>();
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      this.cookies.set(name!.trim(), value.join("="));
    }
    return res.headers.getSetCookie();
  }
}

async function attempt(nickname: string, password: string, opts: { jar?: Jar; forwardedFor?: string } = {}) {
  const jar = opts.jar ?? new Jar();
  const csrfRes = await fetch(`${app.url}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.take(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${app.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header(), ...(opts.forwardedFor ? { "x-forwarded-for": opts.forwardedFor } : {}) },
    body: new URLSearchParams({ nickname, password, csrfToken, json: "true", callbackUrl: "/chat" }),
  });
  const setCookies = jar.take(res);
  const retryAfter = Number(res.headers.get("retry-after") ?? 0);
  return { status: res.status, retryAfter, body: (await res.json()) as { url?: string; error?: { code: string } }, setCookies, jar };
}

describe("login over HTTP", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie on success, and the session names the user", async () => {
    const result = await attempt("DORA", "correct horse battery");
    expect(result.status).toBe(200);
    expect(new URL(result.body.url!).searchParams.get("error")).toBeNull();
    const session = result.setCookies.find((c) => c.startsWith("next-auth.session-token="));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    const me = await (await fetch(`${app.url}/api/auth/session`, { headers: { cookie: result.jar.header() } })).json();
    expect(me.user).toEqual({ nickname: "dora", deviceId: null });
  });

  it("answers a wrong password and an unknown nickname identically", async () => {
    const wrong = await attempt("dora", "not the password");
    const unknown = await attempt("nobody-at-all", "not the password");
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.body).toEqual(unknown.body);
    expect(new URL(wrong.body.url!).searchParams.get("error")).toBe("CredentialsSignin");
    expect(wrong.setCookies.some((c) => c.startsWith("next-auth.session-token="))).toBe(false);
  });

  it("rate-limits one nickname with 429 and Retry-After, even from fresh clients", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt("dora", `guess number ${i}`)).status);
    // 10 per nickname per 15 minutes; the two tests above spent 2 of dora's.
    expect(statuses).toEqual([...Array(8).fill(401), 429, 429, 429]);
    // Even the right password is refused while limited: guessing cannot race the limit.
    const limited = await attempt("dora", "correct horse battery");
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("rate_limited");
    expect(limited.retryAfter).toBeGreaterThan(0);
  });

  it("limits one address across nicknames, and a forged X-Forwarded-For does not buy fresh attempts", async () => {
    // 30 per address per 15 minutes; fresh nicknames and fresh header values
    // each time, so only the socket address can be what runs out.
    const statuses: number[] = [];
    for (let i = 0; i < 31 && !statuses.includes(429); i++) {
      statuses.push((await attempt(`stranger${i}`, "whatever pw", { forwardedFor: `198.51.100.${i}` })).status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(30);
  });
});
