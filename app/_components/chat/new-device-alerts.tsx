"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { fetchOwnDevices, revokeDevice, type OwnDevice } from "@/lib/api-client/devices";
import { NewDevices } from "@/lib/this-device/new-devices";
import { deviceNoticeSchema } from "@/lib/account-devices/schemas";
import type { SignalingClient } from "@/lib/signaling/client";
import { loadKnownDevices, saveKnownDevices } from "@/lib/store/known-devices-store";
import { formatWhen } from "../settings/format-when";

/**
 * "New device signed in: NAME, TIME" for each device added to this account
 * since this device last acknowledged one, with Revoke. Checked when the page
 * opens and whenever the server announces a device change.
 */
export function NewDeviceAlerts({ account, deviceId, signaling }: { account: string; deviceId: string; signaling: SignalingClient }) {
  const watch = useMemo(
    () => new NewDevices(deviceId, { load: () => loadKnownDevices(account), save: (ids) => saveKnownDevices(account, ids) }, fetchOwnDevices),
    [account, deviceId],
  );
  const [unseen, setUnseen] = useState<OwnDevice[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = useCallback(() => {
    watch.unacknowledged().then(setUnseen, () => undefined);
  }, [watch]);

  useEffect(() => {
    refresh();
    return signaling.onNotice((raw) => {
      if (deviceNoticeSchema.safeParse(raw).success) refresh();
    });
  }, [refresh, signaling]);

  async function acknowledge(device: OwnDevice, revoke: boolean) {
    setProblem(null);
    try {
      if (revoke) await revokeDevice(device.id);
      await watch.acknowledge(device.id);
      refresh();
    } catch (error) {
      setProblem(`Could not revoke “${device.name}”: ${error instanceof Error ? error.message : "try again"}`);
    }
  }

  if (unseen.length === 0 && !problem) return null;
  return (
    <section className="stack" aria-label="New devices">
      {unseen.map((device) => (
        <div key={device.id} role="alert" className="panel warning notice-new-device row spread">
          <span>
            New device signed in: {device.name}, {formatWhen(device.createdAt)}
          </span>
          <span className="row">
            <button type="button" onClick={() => void acknowledge(device, true)}>
              Revoke
            </button>
            <button type="button" className="secondary" onClick={() => void acknowledge(device, false)}>
              That was me
            </button>
          </span>
        </div>
      ))}
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}
