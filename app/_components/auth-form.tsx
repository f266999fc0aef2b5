"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { logIn, signUp } from "@/lib/api-client/auth";
import { ApiRequestError } from "@/lib/api-client/fetch-json";

type Mode = "signup" | "login";

const copy = {
  signup: { title: "Create your account", button: "Sign up", busy: "Creating account…", other: "Already have an account?", otherLink: "/login", otherText: "Log in" },
  login: { title: "Log in", button: "Log in", busy: "Logging in…", other: "New here?", otherLink: "/signup", otherText: "Sign up" },
} as const;

function explain(error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.code === "invalid_input") {
      // "nickname: must be at least 3 characters" → "Nickname must be at least 3 characters."
      const [field, rule] = error.message.split(": ");
      return rule ? `${field!.charAt(0).toUpperCase()}${field!.slice(1)} ${rule}.` : error.message;
    }
    return error.message;
  }
  return "Something went wrong. Try again.";
}

export function AuthForm({ mode }: { mode: Mode }) {
  const text = copy[mode];
  const [nickname, setNickname] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (mode === "signup") await signUp(nickname, password);
      await logIn(nickname, password);
      // A full navigation so every provider starts from the new session.
      window.location.assign("/chat");
    } catch (caught) {
      setError(explain(caught));
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="panel stack" onSubmit={submit} aria-describedby={error ? "auth-error" : undefined} noValidate>
        <h1>{text.title}</h1>
        <label>
          Nickname
          <input name="nickname" type="text" autoComplete="username" autoCapitalize="none" spellCheck={false} value={nickname} onChange={(e) => setNickname(e.target.value)} required />
        </label>
        {mode === "signup" && <span className="muted">3–24 characters: letters, digits, _ and -. Others reach you by it.</span>}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {mode === "signup" && <span className="muted">At least 10 characters.</span>}
        {error && (
          <p id="auth-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} aria-busy={busy}>
          {text.button}
        </button>
        <p role="status" className="muted">
          {busy ? text.busy : ""}
        </p>
        <p className="muted">
          {text.other} <Link href={text.otherLink}>{text.otherText}</Link>
        </p>
      </form>
    </main>
  );
}
