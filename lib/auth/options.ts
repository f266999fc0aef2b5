import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { checkCredentials } from "@/lib/accounts/accounts";
import { liveDevice } from "@/lib/devices/devices";
import { deviceIdSchema } from "@/lib/devices/schemas";
import { env } from "@/lib/env";
import { credentialsSchema } from "./nickname";

export const SESSION_MAX_AGE_SEC = 30 * 24 * 60 * 60;

/** Cookies are `Secure` (and `__Secure-` prefixed) whenever the public URL is https. */
export function usesSecureCookies(): boolean {
  return env().NEXTAUTH_URL?.startsWith("https://") ?? false;
}

const deviceUpdate = z.object({ deviceId: deviceIdSchema }).strict();

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
        // Rate limits are enforced before next-auth runs (app/api/auth/[...nextauth]),
        // so that a limited attempt can answer 429 instead of a redirect.
        async authorize(credentials) {
          const parsed = credentialsSchema.safeParse({ nickname: credentials?.nickname, password: credentials?.password });
          // Invalid shapes fail exactly like wrong passwords: no hint either way.
          if (!parsed.success) return null;
          const account = await checkCredentials(parsed.data.nickname, parsed.data.password);
          return account ? { id: account.id, name: account.nickname } : null;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user, trigger, session }) {
        if (user) {
          token.nickname = user.name ?? undefined;
          delete token.deviceId;
        }
        // A browser binds its session to the device it registered; the server
        // checks the device is this user's and live before stamping it.
        if (trigger === "update" && token.sub) {
          const request = deviceUpdate.safeParse(session);
          if (request.success && (await liveDevice(token.sub, request.data.deviceId))) token.deviceId = request.data.deviceId;
        }
        return token;
      },
      async session({ session, token }) {
        session.user = { nickname: String(token.nickname ?? ""), deviceId: typeof token.deviceId === "string" ? token.deviceId : null };
        return session;
      },
    },
  };
}
