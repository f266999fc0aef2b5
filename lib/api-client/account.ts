import type { PasswordChange } from "@/lib/accounts/schemas";
import { fetchJson } from "./fetch-json";

/** Changes the password; every other session of the account ends. Returns how many did. */
export async function changePassword(change: PasswordChange): Promise<number> {
  const { endedSessions } = await fetchJson<{ endedSessions: number }>("/api/account/password", { method: "POST", json: change });
  return endedSessions;
}
