"use client";

import { useSyncExternalStore } from "react";
import { featuresOffHere, type SecureOnlyFeature } from "@/lib/this-device/secure-context";

const why: Record<SecureOnlyFeature, string> = {
  notifications: "Pings (notifications) on this device: browsers only allow service workers and push on https.",
  "one-tab-guard": "The guard that keeps CommunisP to one tab of this browser: two tabs would compete for this device's connections.",
  "fast-log-opening": "Fast opening of retrieved logs: it falls back to slower code.",
};

const noSubscription = () => () => undefined;

/** Says which features are off on a non-secure (plain http) origin, and why; nothing on https or localhost. */
export function SecureContextNotice() {
  const off = useSyncExternalStore(
    noSubscription,
    () => featuresOffHere(window).join(","),
    () => "",
  );
  if (off === "") return null;
  return (
    <section className="panel notice" role="status" aria-labelledby="insecure-origin-title">
      <h2 id="insecure-origin-title">This page is not on a secure (https) address</h2>
      <p>Messages stay end-to-end encrypted, but your browser turns these off here:</p>
      <ul>
        {(off.split(",") as SecureOnlyFeature[]).map((feature) => (
          <li key={feature}>{why[feature]}</li>
        ))}
      </ul>
      <p className="muted">Open CommunisP at an https:// address to have them (whoever runs it can start it with HTTPS=1, or behind a TLS reverse proxy).</p>
    </section>
  );
}
