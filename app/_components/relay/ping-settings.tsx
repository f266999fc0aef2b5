"use client";

import { useEffect, useState } from "react";
import type { HomeRelay, RelaySnapshot } from "@/lib/relay/home-relay";
import { AsyncCheckbox } from "./async-checkbox";
import { isThisDeviceSubscribed, subscribeThisDevice, unsubscribeThisDevice } from "@/lib/push/client";

/**
 * "Ping on Received" (this device, as home relay, pings the others) and the
 * receiving end: whether this device takes those pings as notifications.
 */
export function PingSettings({ relay, snapshot, vapidPublicKey }: { relay: HomeRelay; snapshot: RelaySnapshot; vapidPublicKey: string }) {
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    isThisDeviceSubscribed().then(
      (value) => live && setSubscribed(value),
      () => live && setSubscribed(false),
    );
    return () => {
      live = false;
    };
  }, []);

  async function toggleNotifications(on: boolean) {
    setError(null);
    try {
      if (on) await subscribeThisDevice(vapidPublicKey);
      else await unsubscribeThisDevice();
      setSubscribed(on);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "This browser cannot receive notifications here.");
    }
  }

  return (
    <div className="stack">
      <AsyncCheckbox label="Ping on Received" checked={snapshot.settings.pingOnReceived} onChange={(on) => relay.setPingOnReceived(on)} />
      <p className="muted">Your other devices get a notification, without names or text, when this device receives messages (at most one every 30 seconds).</p>
      <AsyncCheckbox label="Get pings on this device" checked={subscribed === true} disabled={subscribed === null} onChange={toggleNotifications} />
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
