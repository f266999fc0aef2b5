"use client";

import type { KeyWarning } from "@/lib/chat/peer-keys";

export function KeyWarnings({ peer, warnings, onAccept, onReview }: { peer: string; warnings: KeyWarning[]; onAccept: (deviceId: string) => void; onReview: () => void }) {
  if (warnings.length === 0) return null;
  return (
    <div role="alert" className="warning stack">
      {warnings.map((w) => (
        <div key={w.deviceId} className="stack">
          <p>
            The security key of {peer}&apos;s device &ldquo;{w.deviceName}&rdquo; changed. This happens when they reinstall or reset the browser, but it could also
            mean someone is trying to listen in. Sending to {peer} is paused.
          </p>
          <div className="row">
            <button type="button" onClick={() => onAccept(w.deviceId)}>
              Accept new key
            </button>
            <button type="button" className="secondary" onClick={onReview}>
              Safety number
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
