"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fetchOwnDevices, ownDevicesKey, revokeDevice, type OwnDevice } from "@/lib/api-client/devices";
import { formatWhen } from "./format-when";

/** The account's live devices: which one this is, which one is home, when each was last seen, and Revoke. */
export function DeviceList({ thisDeviceId }: { thisDeviceId: string | null }) {
  const queryClient = useQueryClient();
  // Always fresh on arrival: the chat page may hold a list from before a device was added.
  const devices = useQuery({ queryKey: ownDevicesKey, queryFn: fetchOwnDevices, refetchOnMount: "always" });
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const revoke = useMutation({
    mutationFn: (device: OwnDevice) => revokeDevice(device.id),
    onSuccess: (_result, device) => setOutcome({ ok: true, text: `Revoked “${device.name}”. It is signed out and can no longer receive messages.` }),
    onError: (error, device) => setOutcome({ ok: false, text: `Could not revoke “${device.name}”: ${error.message}` }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ownDevicesKey }),
  });

  return (
    <section className="panel stack" aria-labelledby="devices-heading">
      <h2 id="devices-heading">Devices</h2>
      <p className="muted">Every browser you sign in with is a device with its own keys. Revoke one you lost or no longer use: it is signed out at once.</p>
      {devices.isPending && <p role="status">Loading devices…</p>}
      {devices.isError && <p role="alert">Could not load the devices: {devices.error.message}</p>}
      {devices.data && (
        <ul className="device-list" aria-label="Your devices">
          {devices.data.map((device) => (
            <li key={device.id} className="row spread">
              <span className="stack tight">
                <strong>{device.name}</strong>
                <span className="muted">
                  {device.id === thisDeviceId && "This device · "}
                  {device.home && "Home relay · "}
                  Last seen {formatWhen(device.lastSeenAt)} · added {formatWhen(device.createdAt)}
                </span>
              </span>
              {device.id !== thisDeviceId && (
                <button type="button" className="secondary" aria-label={`Revoke ${device.name}`} disabled={revoke.isPending} onClick={() => revoke.mutate(device)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {outcome && <p role={outcome.ok ? "status" : "alert"}>{outcome.text}</p>}
    </section>
  );
}
