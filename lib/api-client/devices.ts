import { fetchJson } from "./fetch-json";

// Server state of this account's devices, for React Query. Keys and bodies
// carry ids, names and flags only: never message content.

export interface OwnDevice {
  id: string;
  name: string;
  home: boolean;
  signPublicKey: string;
  dhPublicKey: string;
  createdAt: string;
  lastSeenAt: string;
}

export const ownDevicesKey = ["devices", "own"] as const;

export const fetchOwnDevices = async () => (await fetchJson<{ devices: OwnDevice[] }>("/api/devices")).devices;

export const setHomeDevice = (deviceId: string, home: boolean) =>
  fetchJson<{ device: OwnDevice }>(`/api/devices/${encodeURIComponent(deviceId)}`, { method: "PATCH", json: { home } });

export const revokeDevice = (deviceId: string) => fetchJson<void>(`/api/devices/${encodeURIComponent(deviceId)}`, { method: "DELETE" });
