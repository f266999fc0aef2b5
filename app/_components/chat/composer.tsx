"use client";

import { useState, type FormEvent, type KeyboardEvent } from "react";

export function Composer({ onSend, disabled }: { onSend: (text: string) => Promise<string | null>; disabled: boolean }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const draft = text;
    if (!draft.trim()) return;
    // Cleared at once, so typing the next message never races this one.
    setText("");
    const problem = await onSend(draft);
    setError(problem);
    if (problem) setText((current) => (current === "" ? draft : current));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label className="grow">
        Message
        <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} disabled={disabled} />
      </label>
      <button type="submit" disabled={disabled || !text.trim()}>
        Send
      </button>
      {error && (
        <p role="alert" className="full">
          {error}
        </p>
      )}
    </form>
  );
}
