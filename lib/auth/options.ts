import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/http/client-ip";
import { parseCookies, usesSecureCookies } from "./cookies";
import { attemptLogin } from "./login";
import { recordLoginOutcome } from "./login-outcome";
import { createSession, endSession, findLiveSession, SESSION_MAX_AGE_SEC } from "./sessions";

export { SESSION_MAX_AGE_SEC } from "./sessions";
export { usesSecureCookies } from "./cookies";

/** Thrown from the jwt callback when the cookie's session row is gone: next-auth then clears the cookie. */
class SessionEndedError extends Error {
  constructor() {
    super("The session has ended.");
    this.name = "SessionEndedError";
  }
}

/** Where next-auth may send the browser after signing in or out: this app's own pages only. */
export function safeRedirect(url: string, baseUrl: string): string {
  if (url.startsWith("/") && !url.startsWith("//")) return `${baseUrl}${url}`;
  try {
    if (new URL(url).origin === baseUrl) return url;
  } catch {
    // not a URL: fall through to the app's own origin
  }
  return baseUrl;
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SEC, updateAge: 24 * 60 * 60 },
    useSecureCookies: usesSecureCookies(),
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Nickname",
        credentials: { nickname: { label: "Nickname", type: "text" }, password: { label: "Password", type: "password" } },
        // Limits are applied here, to exactly the credentials next-auth checks
        // (lib/auth/login.ts); the route turns a limited attempt into a 429.
        async authorize(credentials, req) {
          const headers = new Headers(Object.entries(req.headers ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
          const result = await attemptLogin({
            nickname: credentials?.nickname,
            password: credentials?.password,
            ip: clientIp({ headers }),
            cookies: parseCookies(headers.get("cookie")),
            secret: env().NEXTAUTH_SECRET,
            secureCookies: usesSecureCookies(),
          });
          if (result.ok) {
            recordLoginOutcome({ loggedIn: result.account.nickname });
            return { id: result.account.id, name: result.account.nickname };
          }
          if (result.reason === "rate_limited") recordLoginOutcome({ rateLimitedFor: result.retryAfterSec });
          // Wrong password, unknown nickname and malformed input look alike.
          return null;
        },
      }),
    ],
    callbacks: {
      // next-auth's default does `new URL(url)` unguarded: a callbackUrl that
      // is neither a path nor an absolute URL (" ", "a b") was a 500 (found
      // by __tests__/e2e/auth-fuzz.test.ts). Same rule, minus the throw.
      async redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl);
      },
      async jwt({ token, user }) {
        if (user) {
          // Sign-in: a new server-side session, named in the (encrypted) JWT.
          return { sub: user.id, nickname: user.name ?? undefined, sid: await createSession(user.id) };
        }
        const session = typeof token.sid === "string" && token.sub ? await findLiveSession(token.sid, token.sub) : null;
        if (!session) throw new SessionEndedError();
        return { ...token, nickname: session.nickname, deviceId: session.deviceId ?? undefined };
      },
      async session({ session, token }) {
        session.user = { nickname: String(token.nickname ?? ""), deviceId: typeof token.deviceId === "string" ? token.deviceId : null };
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await endSession(token.sid);
      },
    },
    logger: {
      error(code, metadata) {
        // An ended session is an expected answer, not a server error.
        if (metadata instanceof Error && metadata.name === "SessionEndedError") return;
        console.error(`[next-auth] ${code}`, metadata instanceof Error ? metadata.name : "");
      },
      warn: (code) => console.warn(`[next-auth] ${code}`),
      debug: () => undefined,
    },
  };
}
