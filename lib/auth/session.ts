import "server-only";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { db } from "@/lib/db/client";
import { liveDevice, touchDevice } from "@/lib/devices/devices";
import { env } from "@/lib/env";
import { ApiError, unauthorized } from "@/lib/http/api-error";
import { usesSecureCookies } from "./options";

export interface SessionUser {
  userId: string;
  nickname: string;
}

export interface SessionDevice extends SessionUser {
  deviceId: string;
  deviceName: string;
  home: boolean;
}

async function readToken(req: Request) {
  return getToken({ req: req as NextRequest, secret: env().NEXTAUTH_SECRET, secureCookie: usesSecureCookies() });
}

/** The signed-in user, checked against the database (a deleted account's cookie is worthless). */
export async function requireUser(req: Request): Promise<SessionUser> {
  const token = await readToken(req);
  if (!token?.sub || typeof token.nickname !== "string") throw unauthorized();
  const user = await db().user.findUnique({ where: { id: token.sub }, select: { id: true, nickname: true } });
  if (!user) throw unauthorized();
  return { userId: user.id, nickname: user.nickname };
}

/** The signed-in user and the live device this browser registered. */
export async function requireDevice(req: Request): Promise<SessionDevice> {
  const token = await readToken(req);
  if (!token?.sub || typeof token.nickname !== "string") throw unauthorized();
  if (typeof token.deviceId !== "string") {
    throw new ApiError(403, "no_device", "This browser has not registered its device keys yet. Reload the page.");
  }
  const device = await liveDevice(token.sub, token.deviceId);
  if (!device) throw new ApiError(403, "no_device", "This device was revoked. Sign in again to register it anew.");
  await touchDevice(device.id);
  return { userId: token.sub, nickname: token.nickname, deviceId: device.id, deviceName: device.name, home: device.home };
}
