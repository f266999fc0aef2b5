import { changePassword } from "@/lib/accounts/password-change";
import { passwordChangeSchema } from "@/lib/accounts/schemas";
import { requireUser } from "@/lib/auth/session";
import { disconnectDevices } from "@/lib/account-devices/announce";
import { json, route } from "@/lib/http/handler";
import { parseJsonBody } from "@/lib/http/json-body";

export const dynamic = "force-dynamic";

/** Changes the password (the current one is required) and ends every other session of the account. */
export const POST = route(async (req) => {
  const session = await requireUser(req);
  const body = await parseJsonBody(req, passwordChangeSchema);
  const { endedSessions, devices } = await changePassword(session, body.currentPassword, body.newPassword);
  await disconnectDevices(devices.filter((id) => id !== session.deviceId));
  return json({ endedSessions });
});
