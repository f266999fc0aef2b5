"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchOwnDevices, ownDevicesKey, setHomeDevice } from "@/lib/api-client/devices";
import { AsyncCheckbox } from "./async-checkbox";

/** "Use this device as my home relay": the server's `home` flag, at most one per account. */
export function HomeRelaySetting({ deviceId, turnConfigured }: { deviceId: string; turnConfigured: boolean }) {
  const client = useQueryClient();
  const devices = useQuery({ queryKey: ownDevicesKey, queryFn: fetchOwnDevices });
  const mutation = useMutation({
    mutationFn: (home: boolean) => setHomeDevice(deviceId, home),
    // The saved state arrives with the refetch; the checkbox holds the new one until then.
    onSuccess: () => client.invalidateQueries({ queryKey: ownDevicesKey }),
  });
  const me = devices.data?.find((d) => d.id === deviceId);
  const other = devices.data?.find((d) => d.home && d.id !== deviceId);
  const checked = Boolean(me?.home);
  return (
    <div className="stack">
      <AsyncCheckbox label="Use this device as my home relay" checked={checked} disabled={!me} onChange={(home) => mutation.mutateAsync(home).then(() => undefined, () => undefined)} />
      {other && !checked && <p className="muted">Your home relay now: {other.name}. Checking this moves it here.</p>}
      {/* A home relay answers anyone who writes to this account: say what a stranger learns (docs/protocol.md "Strangers"). */}
      <p className="muted" role="note" aria-label="What strangers see">
        {turnConfigured
          ? "People who are not your contacts reach this device only through the TURN relay: they do not learn its network address."
          : "No TURN server is configured, so anyone who writes to your account while this device is online can see its network address (IP)."}
      </p>
      {mutation.isError && <p role="alert">{mutation.error.message}</p>}
    </div>
  );
}
