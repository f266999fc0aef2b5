"use client";

import Link from "next/link";
import { logOut } from "@/lib/api-client/auth";
import { RelayPanel } from "../relay/relay-panel";
import { SecureContextNotice } from "../secure-context-notice";
import { DeviceStatus } from "../signed-in/device-status";
import { useSignedIn } from "../signed-in/signed-in-provider";
import { ChangePasswordForm } from "./change-password-form";
import { DeviceList } from "./device-list";
import { ThisDevice } from "./this-device";

/**
 * /settings: this device and its keys, the home relay, its logs and pings,
 * the account's devices, the password, logging out. The messenger and home
 * relay keep running underneath (they live in the signed-in layout).
 */
export function SettingsApp() {
  const { nickname, sessionDeviceId, vapidPublicKey, boot } = useSignedIn();
  const ready = boot.phase === "ready" ? boot : null;
  return (
    <main className="settings stack">
      <header className="row spread topbar">
        <Link className="button secondary" href="/chat" aria-label="Back to chat">
          <span aria-hidden="true">← </span>Chat
        </Link>
        <h1>Settings</h1>
      </header>
      <DeviceStatus nickname={nickname} boot={boot} />
      <SecureContextNotice />
      {ready && <ThisDevice device={ready.messenger.device} />}
      {ready && <RelayPanel relay={ready.relay} deviceId={ready.messenger.device.deviceId} turnConfigured={ready.messenger.turnConfigured} vapidPublicKey={vapidPublicKey} />}
      <DeviceList thisDeviceId={ready?.messenger.device.deviceId ?? sessionDeviceId} />
      <ChangePasswordForm />
      <section className="panel stack" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <p className="muted">Logging out ends this browser&apos;s session. Its keys and history stay here for when you log in again.</p>
        <button className="secondary" type="button" onClick={() => logOut().then(() => window.location.assign("/login"))}>
          Log out
        </button>
      </section>
    </main>
  );
}
