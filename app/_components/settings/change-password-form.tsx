"use client";

import { useState, type FormEvent } from "react";
import { passwordChangeSchema } from "@/lib/accounts/schemas";
import { changePassword } from "@/lib/api-client/account";

/** "Change password": the current one is required; every other session of the account ends. */
export function ChangePasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = passwordChangeSchema.safeParse({ currentPassword: current, newPassword: next });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue?.path[0] === "currentPassword" ? "The current password" : "The new password";
      return setOutcome({ ok: false, text: `${field} ${issue?.message ?? "is not valid"}.` });
    }
    setBusy(true);
    setOutcome(null);
    try {
      const ended = await changePassword(checked.data);
      setCurrent("");
      setNext("");
      setOutcome({ ok: true, text: `Password changed. ${ended === 1 ? "1 other session was" : `${ended} other sessions were`} signed out.` });
    } catch (error) {
      setOutcome({ ok: false, text: error instanceof Error ? error.message : "The password could not be changed. Try again." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="password-heading">
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id="password-heading">Change password</h2>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <span className="muted">At least 10 characters. Every other browser signed in to this account is signed out.</span>
        <button type="submit" disabled={busy} aria-busy={busy}>
          Change password
        </button>
        {outcome && <p role={outcome.ok ? "status" : "alert"}>{outcome.text}</p>}
      </form>
    </section>
  );
}
