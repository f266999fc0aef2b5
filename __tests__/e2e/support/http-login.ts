// Signing up and in over plain HTTP, as a browser's requests would, for
// tests that need a session but no page.

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      this.cookies.set(name!.trim(), value.join("="));
    }
  }
}

/** Registers `nickname` and logs in through next-auth's credentials flow; the jar then holds the session. */
export async function signUpOverHttp(baseUrl: string, nickname: string, password: string): Promise<CookieJar> {
  const registered = await fetch(`${baseUrl}/api/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nickname, password }) });
  if (registered.status !== 201) throw new Error(`sign-up of ${nickname} answered ${registered.status}: ${await registered.text()}`);
  const jar = new CookieJar();
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  jar.take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ nickname, password, csrfToken, json: "true", callbackUrl: "/chat" }),
  });
  jar.take(login);
  if (!jar.header().includes("next-auth.session-token=")) throw new Error(`login of ${nickname} set no session (status ${login.status})`);
  return jar;
}
