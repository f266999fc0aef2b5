"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchOwnDevices, ownDevicesKey, setHomeDevice } from "@/lib/api/devices";

/** "Use this device as my home relay": the server's `home` flag, at most one per account. */
export function HomeRelaySetting({ deviceId }: { deviceId: string }) {
  const client = useQueryClient();
  const devices = useQuery({ queryKey: ownDevicesKey, queryFn: fetchOwnDevices });
  const mutation = useMutation({
    mutationFn: (home: boolean) => setHomeDevice(deviceId, home),
    onSuccess: () => client.invalidateQueries({ queryKey: ownDevicesKey }),
  });
  const me = devices.data?.find((d) => d.id === deviceId);
  const other = devices.data?.find((d) => d.home && d.id !== deviceId);
  const checked = mutation.isPending ? Boolean(mutation.variables) : Boolean(me?.home);
  return (
    <div className="stack">
      <label className="check">
        <input type="checkbox" checked={checked} disabled={!me || mutation.isPending} onChange={(e) => mutation.mutate(e.target.checked)} />
        Use this device as my home relay
      </label>
      {other && !checked && <p className="muted">Your home relay now: {other.name}. Checking this moves it here.</p>}
      {mutation.isError && <p role="alert">{mutation.error.message}</p>}
    </div>
  );
}
