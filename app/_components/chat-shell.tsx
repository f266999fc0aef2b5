"use client";

import { useEffect, useState } from "react";
import { logOut } from "@/lib/api/auth";
import { ApiRequestError } from "@/lib/api/fetch-json";
import { defaultDeviceName } from "@/lib/device/device-name";
import { ensureDevice, type LocalDevice } from "@/lib/device/ensure-device";

type DeviceState = { phase: "registering" } | { phase: "ready"; device: LocalDevice } | { phase: "failed"; message: string };

export function ChatShell({ nickname }: { nickname: string }) {
  const [state, setState] = useState<DeviceState>({ phase: "registering" });

  useEffect(() => {
    let cancelled = false;
    ensureDevice(nickname, defaultDeviceName(navigator.userAgent, window.innerWidth)).then(
      (device) => !cancelled && setState({ phase: "ready", device }),
      (error: unknown) => !cancelled && setState({ phase: "failed", message: error instanceof ApiRequestError ? error.message : "This browser could not set up its device keys." }),
    );
    return () => {
      cancelled = true;
    };
  }, [nickname]);

  return (
    <main className="stack">
      <header className="row" style={{ justifyContent: "space-between" }}>
        <h1>CommunisP</h1>
        <div className="row">
          <span>
            Signed in as <strong>{nickname}</strong>
          </span>
          <button className="secondary" type="button" onClick={() => logOut().then(() => window.location.assign("/login"))}>
            Log out
          </button>
        </div>
      </header>
      <section className="panel" aria-label="This device">
        {state.phase === "registering" && <p role="status">Setting up this device&apos;s keys…</p>}
        {state.phase === "ready" && (
          <p role="status">
            This device: <strong>{state.device.name}</strong> <span className="muted">(keys ready)</span>
          </p>
        )}
        {state.phase === "failed" && <p role="alert">{state.message}</p>}
      </section>
    </main>
  );
}
