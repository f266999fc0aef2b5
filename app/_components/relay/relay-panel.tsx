"use client";

import type { HomeRelay } from "@/lib/relay/home-relay";
import { useRelaySnapshot } from "../chat/use-messenger";
import { HomeRelaySetting } from "./home-relay-setting";
import { LogsSetting } from "./logs-setting";
import { PingSettings } from "./ping-settings";
import { RetrievePanel } from "./retrieve-panel";

export function RelayPanel({ relay, deviceId, turnConfigured, vapidPublicKey }: { relay: HomeRelay; deviceId: string; turnConfigured: boolean; vapidPublicKey: string }) {
  const snapshot = useRelaySnapshot(relay);
  return (
    <section className="panel stack relay" aria-labelledby="relay-title">
      <h2 id="relay-title">Home relay and logs</h2>
      <fieldset className="stack">
        <legend>Settings</legend>
        <HomeRelaySetting deviceId={deviceId} turnConfigured={turnConfigured} />
        <LogsSetting relay={relay} snapshot={snapshot} />
        <PingSettings relay={relay} snapshot={snapshot} vapidPublicKey={vapidPublicKey} />
      </fieldset>
      <fieldset className="stack">
        <legend>Logs from your home relay</legend>
        <RetrievePanel relay={relay} />
      </fieldset>
    </section>
  );
}
