import "server-only";
import { enforce } from "@/lib/auth/limits";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { endOtherSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db/client";
import { ApiError, unauthorized } from "@/lib/http/api-error";

/**
 * Changes an account's password. The current password is required (a stolen
 * session cookie must not be enough) and checked under a per-account limit
 * (nor may the cookie be used to guess it). Every other session of the
 * account ends: whoever knew the old password is signed out everywhere.
 */
export async function changePassword(
  session: { userId: string; idHash: string },
  currentPassword: string,
  newPassword: string,
): Promise<{ endedSessions: number; devices: string[] }> {
  await enforce(["passwordChangePerUser", session.userId]);
  const user = await db().user.findUnique({ where: { id: session.userId }, select: { passwordHash: true } });
  if (!user) throw unauthorized();
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new ApiError(403, "wrong_password", "The current password is not right.");
  }
  const passwordHash = await hashPassword(newPassword);
  await db().user.update({ where: { id: session.userId }, data: { passwordHash } });
  const ended = await endOtherSessions(session.userId, session.idHash);
  return { endedSessions: ended.count, devices: ended.deviceIds };
}
