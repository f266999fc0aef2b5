import "server-only";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { liveDevice, touchDevice } from "@/lib/account-devices/devices";
import { env } from "@/lib/env";
import { ApiError, unauthorized } from "@/lib/http/api-error";
import { usesSecureCookies } from "./cookies";
import { findLiveSession, type LiveSession } from "./sessions";

export type SessionUser = LiveSession;

export interface SessionDevice extends SessionUser {
  deviceId: string;
  deviceName: string;
  home: boolean;
}

/**
 * The caller's live session: a valid cookie whose session row still exists.
 * A copied cookie of a session that ended (sign-out, revoked device, password
 * change) is a 401 like no cookie at all.
 */
export async function requireUser(req: Request): Promise<SessionUser> {
  const token = await getToken({ req: req as NextRequest, secret: env().NEXTAUTH_SECRET, secureCookie: usesSecureCookies() });
  if (!token?.sub || typeof token.sid !== "string") throw unauthorized();
  const session = await findLiveSession(token.sid, token.sub);
  if (!session) throw unauthorized();
  return session;
}

/** The live session and the live device it is bound to. */
export async function requireDevice(req: Request): Promise<SessionDevice> {
  const session = await requireUser(req);
  if (session.deviceId === null) {
    throw new ApiError(403, "no_device", "This browser has not registered its device keys yet. Reload the page.");
  }
  const device = await liveDevice(session.userId, session.deviceId);
  // Revoking a device ends its sessions, so this is a race at most.
  if (!device) throw unauthorized();
  await touchDevice(device.id);
  return { ...session, deviceId: device.id, deviceName: device.name, home: device.home };
}
