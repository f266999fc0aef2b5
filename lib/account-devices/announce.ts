import "server-only";
import { terminateDeviceConnections, triggerEvent } from "@/lib/signaling/rest";
import { NOTICE_EVENT, userChannel } from "@/lib/signaling/schemas";
import type { DeviceNotice } from "./schemas";

// Tells the account's open pages about a device change, and closes a revoked
// device's sockets. Best effort: the change itself is already in the
// database, and pages that were closed learn of it from GET /api/devices.

export async function announceDevice(nickname: string, notice: DeviceNotice): Promise<void> {
  try {
    await triggerEvent(userChannel(nickname), NOTICE_EVENT, notice);
  } catch {
    console.warn("[devices] device notice not published: signaling unavailable");
  }
}

export async function disconnectDevices(deviceIds: string[]): Promise<void> {
  await Promise.all(deviceIds.map((id) => terminateDeviceConnections(id)));
}
