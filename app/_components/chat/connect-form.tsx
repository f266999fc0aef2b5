"use client";

import { useState, type FormEvent } from "react";

export function ConnectForm({ onConnect }: { onConnect: (nickname: string) => Promise<void> }) {
  const [nickname, setNickname] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!nickname.trim()) return;
    setBusy(true);
    try {
      await onConnect(nickname);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Nickname to contact
        <input type="text" value={nickname} onChange={(e) => setNickname(e.target.value)} autoCapitalize="none" autoComplete="off" spellCheck={false} />
      </label>
      <button type="submit" disabled={busy || !nickname.trim()}>
        Connect
      </button>
    </form>
  );
}
