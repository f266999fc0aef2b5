"use client";

import { useState } from "react";

/**
 * A checkbox whose setting is saved asynchronously (IndexedDB, the server).
 * It shows the new state at once, as a checkbox should, and falls back to the
 * saved state if saving fails.
 */
export function AsyncCheckbox({ label, checked, disabled, onChange }: { label: string; checked: boolean; disabled?: boolean; onChange: (next: boolean) => Promise<void> | void }) {
  const [pending, setPending] = useState<boolean | null>(null);
  async function change(next: boolean) {
    setPending(next);
    try {
      await onChange(next);
    } finally {
      setPending(null);
    }
  }
  return (
    <label className="check">
      <input type="checkbox" checked={pending ?? checked} disabled={disabled || pending !== null} onChange={(e) => void change(e.target.checked)} />
      {label}
    </label>
  );
}
