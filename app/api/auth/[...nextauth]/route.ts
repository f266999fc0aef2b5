import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { enforce } from "@/lib/auth/limits";
import { nicknameSchema } from "@/lib/auth/nickname";
import { authOptions } from "@/lib/auth/options";
import { clientIp } from "@/lib/http/client-ip";
import { errorResponse, toApiError } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

const handle = (req: NextRequest, context: Context) => NextAuth(req, context, authOptions());

/**
 * Login attempts are counted here, before next-auth, so a limited attempt gets
 * a 429 with Retry-After (next-auth itself could only redirect). Every attempt
 * counts, per address and per nickname, whether the nickname exists or not.
 */
async function limitLogin(req: NextRequest): Promise<Response | null> {
  if (!req.nextUrl.pathname.endsWith("/callback/credentials")) return null;
  try {
    const form = await req.clone().formData();
    const nickname = nicknameSchema.safeParse(form.get("nickname"));
    const checks: Parameters<typeof enforce> = [["loginPerIp", clientIp(req)]];
    if (nickname.success) checks.push(["loginPerNickname", nickname.data]);
    await enforce(...checks);
    return null;
  } catch (error) {
    return errorResponse(toApiError(error));
  }
}

export async function GET(req: NextRequest, context: Context) {
  return handle(req, context);
}

export async function POST(req: NextRequest, context: Context) {
  return (await limitLogin(req)) ?? handle(req, context);
}
