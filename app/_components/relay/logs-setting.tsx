"use client";

import { useState, type FormEvent } from "react";
import { passphraseProblem } from "@/lib/crypto";
import type { HomeRelay, RelaySnapshot } from "@/lib/relay/home-relay";
import { AsyncCheckbox } from "./async-checkbox";

/** "Enable Local Message Logs": a new passphrase derives the log keys; only the public halves stay. */
export function LogsSetting({ relay, snapshot }: { relay: HomeRelay; snapshot: RelaySnapshot }) {
  const { settings, logCount } = snapshot;
  const [asking, setAsking] = useState(false);
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  async function toggle(on: boolean) {
    setError(null);
    if (!on) {
      setAsking(false);
      return void (await relay.disableLogs());
    }
    // Keys made before stay valid: turning logs back on needs no new passphrase.
    if (settings.logBundle) return void (await relay.resumeLogs());
    setAsking(true);
  }

  async function enable(event: FormEvent) {
    event.preventDefault();
    const problem = passphraseProblem(first);
    if (problem) return setError(problem);
    if (first !== second) return setError("The two passphrases differ.");
    setError(null);
    setProgress(0);
    try {
      await relay.enableLogs(first, (fraction) => setProgress(fraction));
      setAsking(false);
      setFirst("");
      setSecond("");
    } catch {
      setError("Could not derive the log keys in this browser.");
    } finally {
      setProgress(null);
    }
  }

  async function exportLogs() {
    const text = await relay.exportFile();
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `communisp-logs-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <div className="stack">
      <AsyncCheckbox label="Enable Local Message Logs" checked={settings.logsEnabled || asking} onChange={toggle} />
      {asking && !settings.logsEnabled && (
        <form className="stack" onSubmit={enable}>
          <p className="muted">Messages this device receives are sealed with a key only this passphrase can rebuild. It is never stored or sent anywhere: keep it safe.</p>
          <label>
            New log passphrase
            <input type="password" autoComplete="new-password" value={first} onChange={(e) => setFirst(e.target.value)} />
          </label>
          <label>
            Repeat log passphrase
            <input type="password" autoComplete="new-password" value={second} onChange={(e) => setSecond(e.target.value)} />
          </label>
          <div className="row">
            <button type="submit" disabled={progress !== null}>
              Enable logs
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
          {progress !== null && <progress aria-label="Deriving log keys" max={1} value={progress} />}
        </form>
      )}
      {error && <p role="alert">{error}</p>}
      {(settings.logBundle || logCount > 0) && (
        <div className="stack">
          <p role="status" aria-label="Local log">
            Local log: {logCount} sealed {logCount === 1 ? "record" : "records"}
          </p>
          <div className="row">
            <button type="button" className="secondary" onClick={() => relay.clearLocally().then((n) => setStatus(`Deleted ${n} sealed ${n === 1 ? "record" : "records"}.`))}>
              Clear local logs
            </button>
            <button type="button" className="secondary" disabled={logCount === 0} onClick={() => void exportLogs()}>
              Export logs
            </button>
          </div>
          {status && <p className="muted">{status}</p>}
        </div>
      )}
    </div>
  );
}
