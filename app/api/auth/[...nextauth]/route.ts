import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { canonicalAuthPost, checkAuthGet } from "@/lib/auth/auth-request";
import { deviceCookieHeader, issueDeviceCookie } from "@/lib/auth/device-cookie";
import { withLoginOutcome } from "@/lib/auth/login-outcome";
import { authOptions, usesSecureCookies } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { rateLimited } from "@/lib/http/api-error";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

export const GET = route<Context>(async (req, context) => {
  checkAuthGet((await context.params).nextauth);
  return NextAuth(req as NextRequest, context, authOptions());
});

/**
 * Only the canonical form reaches next-auth (lib/auth/auth-request.ts). Limits
 * are decided inside `authorize` on the credentials next-auth checks; here a
 * limited attempt becomes a 429 with Retry-After (next-auth could only
 * redirect), and a successful one gets this account's device cookie.
 */
export const POST = route<Context>(async (req, context) => {
  const checked = await canonicalAuthPost(req as NextRequest, (await context.params).nextauth);
  const { result, outcome } = await withLoginOutcome(() => NextAuth(checked, context, authOptions()) as Promise<Response>);
  if (outcome.rateLimitedFor !== undefined) throw rateLimited(outcome.rateLimitedFor);
  if (outcome.loggedIn) {
    const secure = usesSecureCookies();
    result.headers.append("Set-Cookie", deviceCookieHeader(issueDeviceCookie(outcome.loggedIn, env().NEXTAUTH_SECRET, secure), secure));
  }
  return result;
});
