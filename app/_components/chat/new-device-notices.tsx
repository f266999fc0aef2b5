"use client";

import type { NewDevice } from "@/lib/chat/peer-keys";

/** A contact's new device, shown like a key change but without pausing anything: it gets messages too. */
export function NewDeviceNotices({ peer, devices, onAcknowledge }: { peer: string; devices: NewDevice[]; onAcknowledge: (deviceId: string) => void }) {
  if (devices.length === 0) return null;
  return (
    <div className="stack">
      {devices.map((d) => (
        <div key={d.deviceId} role="alert" className="warning row spread">
          <p>
            {peer} has a new device: &ldquo;{d.deviceName}&rdquo;. Your messages to {peer} go to it too. If {peer} did not add it, compare safety numbers.
          </p>
          <button type="button" className="secondary" onClick={() => onAcknowledge(d.deviceId)}>
            OK
          </button>
        </div>
      ))}
    </div>
  );
}
