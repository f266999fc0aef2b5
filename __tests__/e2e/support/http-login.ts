// Logging in over plain HTTP, as a browser's login form (lib/api-client/auth.ts)
// does it: a CSRF token from /api/auth/csrf, then the credentials callback.
// A Jar plays the browser's cookie store, so a test can keep one browser's
// cookies (session, device cookie) across attempts, or start a fresh one.

export class Jar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }

  /** Takes the Set-Cookie lines of a response (an emptied or expired cookie is removed). */
  take(res: Response): string[] {
    const lines = res.headers.getSetCookie();
    for (const line of lines) {
      const [pair, ...attributes] = line.split(";");
      const [name, ...value] = pair!.split("=");
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value.join("=") === "") this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join("="));
    }
    return lines;
  }
}

export interface Attempt {
  status: number;
  retryAfter: number;
  body: { url?: string; error?: { code: string; message: string } };
  setCookies: string[];
  jar: Jar;
}

export interface AttemptOptions {
  jar?: Jar;
  /** The X-Forwarded-For header (apps started with TRUST_PROXY=1 take the client address from it). */
  forwardedFor?: string;
  /** The callback path as sent, e.g. a different spelling of /api/auth/callback/credentials. */
  path?: string;
  /** A raw form body instead of the usual fields; `{csrf}` is replaced by the CSRF token. */
  rawBody?: string;
}

export async function csrfToken(baseUrl: string, jar: Jar, forwardedFor?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie: jar.header(), ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) } });
  jar.take(res);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

export async function attemptLogin(baseUrl: string, nickname: string, password: string, opts: AttemptOptions = {}): Promise<Attempt> {
  const jar = opts.jar ?? new Jar();
  const csrf = await csrfToken(baseUrl, jar, opts.forwardedFor);
  const body = opts.rawBody !== undefined ? opts.rawBody.replace("{csrf}", encodeURIComponent(csrf)) : new URLSearchParams({ nickname, password, csrfToken: csrf, json: "true", callbackUrl: "/chat" }).toString();
  const res = await fetch(`${baseUrl}${opts.path ?? "/api/auth/callback/credentials"}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header(), ...(opts.forwardedFor ? { "x-forwarded-for": opts.forwardedFor } : {}) },
    body,
  });
  const setCookies = jar.take(res);
  const text = await res.text();
  let parsed: Attempt["body"] = {};
  try {
    parsed = JSON.parse(text) as Attempt["body"];
  } catch {
    // not JSON (a redirect or an HTML error page): keep the status only
  }
  return { status: res.status, retryAfter: Number(res.headers.get("retry-after") ?? 0), body: parsed, setCookies, jar };
}

/** A successful login answers 200 with a callback URL that carries no error. */
export const loggedIn = (a: Attempt) => a.status === 200 && typeof a.body.url === "string" && new URL(a.body.url).searchParams.get("error") === null;

export async function register(baseUrl: string, nickname: string, password: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nickname, password }) });
  if (res.status !== 201) throw new Error(`registering ${nickname} answered ${res.status}: ${await res.text()}`);
}

/** Registers `nickname` and logs in through next-auth's credentials flow; the jar then holds the session. */
export async function signUpOverHttp(baseUrl: string, nickname: string, password: string): Promise<Jar> {
  const registered = await fetch(`${baseUrl}/api/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nickname, password }) });
  if (registered.status !== 201) throw new Error(`sign-up of ${nickname} answered ${registered.status}: ${await registered.text()}`);
  const { jar, status } = await attemptLogin(baseUrl, nickname, password);
  if (!jar.names().some((name) => name.endsWith("next-auth.session-token"))) throw new Error(`login of ${nickname} set no session (status ${status})`);
  return jar;
}
