"use client";

import Link from "next/link";
import { useRef, useState, type ChangeEvent } from "react";
import type { HomeRelay } from "@/lib/relay/home-relay";
import { groupByPeer, type PeerLog } from "@/lib/relay/log-records";
import { RelayError, type Progress } from "@/lib/relay/log-requester";

// One formatter for the whole list: toLocaleString with options builds one per call.
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });
const time = (at: number) => timeFormat.format(at);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** Retrieval, Clear and Import: the passphrase is used here, only to sign this account's home relay's challenge. */
export function RetrievePanel({ relay }: { relay: HomeRelay }) {
  const [passphrase, setPassphrase] = useState("");
  const [homeChanged, setHomeChanged] = useState(false);
  const [busy, setBusy] = useState<"retrieve" | "clear" | "import" | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [groups, setGroups] = useState<PeerLog[] | null>(null);
  const [message, setMessageState] = useState<{ kind: "status" | "alert"; text: string; n: number; unreachable?: boolean } | null>(null);
  // Each outcome is a new element (keyed by n), so an outcome that repeats
  // the last one's words is still announced, and is told apart from it.
  const outcomes = useRef(0);
  const setMessage = (next: { kind: "status" | "alert"; text: string; unreachable?: boolean } | null) => setMessageState(next ? { ...next, n: ++outcomes.current } : null);

  async function run(op: "retrieve" | "clear") {
    if (!passphrase) return setMessage({ kind: "alert", text: "Enter the log passphrase first." });
    setBusy(op);
    setMessage(null);
    setProgress(null);
    setHomeChanged(false);
    try {
      const outcome = await relay.request(op, passphrase, setProgress);
      if (outcome.op === "clear") {
        setGroups(null);
        setMessage({ kind: "status", text: `The home relay deleted ${outcome.cleared} sealed ${outcome.cleared === 1 ? "record" : "records"}.` });
      } else {
        const { records, unreadable } = outcome.result;
        setGroups(groupByPeer(records));
        setMessage({ kind: "status", text: `Retrieved ${records.length} ${records.length === 1 ? "message" : "messages"}${unreadable ? `; ${unreadable} could not be opened with this passphrase` : ""}.` });
      }
    } catch (error) {
      setHomeChanged(error instanceof RelayError && error.reason === "home-changed");
      setMessage({ kind: "alert", text: errorText(error), unreachable: error instanceof RelayError && error.reason === "unreachable" });
    } finally {
      setBusy(null);
      setProgress(null);
    }
  }

  async function trustNewHome() {
    await relay.trustNewHome();
    setHomeChanged(false);
    setMessage({ kind: "status", text: "The next request goes to the home relay the server lists now, and this device will remember it." });
  }

  async function importFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (!passphrase) return setMessage({ kind: "alert", text: "Enter the log passphrase first, then choose the file." });
    setBusy("import");
    setMessage(null);
    try {
      const result = await relay.importFile(await file.text(), passphrase);
      setGroups(groupByPeer(result.records));
      setMessage({ kind: "status", text: `Opened ${result.records.length} ${result.records.length === 1 ? "message" : "messages"} from ${file.name}.` });
    } catch (error) {
      setMessage({ kind: "alert", text: errorText(error) });
    } finally {
      setBusy(null);
    }
  }

  const receiving = progress?.phase === "receiving" && progress.total !== null;
  return (
    <div className="stack">
      <label>
        Log passphrase
        <input type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </label>
      <div className="row">
        <button type="button" disabled={busy !== null} onClick={() => void run("retrieve")}>
          Retrieve logs
        </button>
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void run("clear")}>
          Clear logs
        </button>
        <label className="file secondary">
          Import logs
          <input type="file" accept="application/json,.json" onChange={(e) => void importFile(e)} disabled={busy !== null} />
        </label>
      </div>
      {busy && progress?.phase === "connecting" && <p role="status">Reaching the home relay…</p>}
      {busy && progress?.phase === "proving" && <p role="status">Proving the passphrase…</p>}
      {busy && progress?.phase === "proving" && <progress aria-label="Deriving log keys" max={1} value={progress.fraction ?? 0} />}
      {receiving && <progress aria-label="Retrieving logs" max={progress.total || 1} value={progress.received} />}
      {message && (
        <p key={message.n} role={message.kind} className={message.kind === "alert" ? undefined : "muted"}>
          {message.text}
          {message.unreachable && (
            <>
              {" "}
              <Link href="/help/network">How to fix this</Link>
            </>
          )}
        </p>
      )}
      {homeChanged && (
        <button type="button" className="secondary" onClick={() => void trustNewHome()}>
          Use the new home relay
        </button>
      )}
      {groups && (
        <section aria-label="Retrieved logs" className="stack retrieved">
          {groups.length === 0 && <p className="muted">Nobody reached out.</p>}
          {groups.map((group) => (
            <article key={group.peer} aria-label={`From ${group.peer}`}>
              <h3>{group.peer}</h3>
              <ol>
                {group.records.map((r) => (
                  <li key={r.id}>
                    <time dateTime={new Date(r.sentAt).toISOString()}>{time(r.sentAt)}</time> <span className="text">{r.text}</span>
                  </li>
                ))}
              </ol>
            </article>
          ))}
        </section>
      )}
    </div>
  );
}
