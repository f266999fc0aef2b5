"use client";

import Link from "next/link";
import { logOut } from "@/lib/api-client/auth";
import { ChangePasswordForm } from "./change-password-form";
import { DeviceList } from "./device-list";

/** /settings: this account's devices and its password. */
export function SettingsApp({ nickname, deviceId }: { nickname: string; deviceId: string | null }) {
  return (
    <main className="chat stack">
      <header className="row spread topbar">
        <h1>Settings</h1>
        <div className="row">
          <span>
            Signed in as <strong>{nickname}</strong>
          </span>
          <Link href="/chat">Back to chat</Link>
          <button className="secondary" type="button" onClick={() => logOut().then(() => window.location.assign("/login"))}>
            Log out
          </button>
        </div>
      </header>
      <DeviceList thisDeviceId={deviceId} />
      <ChangePasswordForm />
    </main>
  );
}
