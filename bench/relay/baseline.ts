// The named baseline, "plain data channel": the floor for moving N sealed
// records from the home's IndexedDB to another browser and opening and
// showing them there. Same two Chromium processes, but blank pages of their
// own on the app's origin (so the sender reads the very records the home
// relay serves, from the same IndexedDB):
//
//   - one RTCDataChannel, SDP exchanged through Playwright (no server, no
//     W-Ratchet, no frames, no JSON, no base64, no backpressure logic);
//   - the sender reads the log 64 records per transaction, as the home relay
//     does, and sends each batch as one binary message (u32 length + bytes);
//   - the receiver opens each batch with lib/crypto's log opener on the
//     page's native X25519 (one per epoch for version-2 records, one per
//     record for version 1: the same opening cost as ours, so the ratio
//     measures what our channel, protocol and page add), decodes the JSON
//     with JSON.parse only, and renders one plain <ol> of every text.
//     (Until epochs, this baseline opened version-1 records with tweetnacl's
//     box.open, one X25519 each in JavaScript.)
//
// Timed in the receiving page, from sending "go" to the frame after the list
// is in the DOM.

import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { LogPublicBundle } from "../../lib/crypto";
import { MAX_RECORDS_PER_CHUNK } from "../../lib/protocol";
import type { PageLib } from "./page-lib";
import { nameShim } from "./shim";

const ROOT = path.resolve(__dirname, "../..");
/** The baseline sends records in chunks as large as ours. */
export const CHUNK_RECORDS = MAX_RECORDS_PER_CHUNK;
const BLANK_PATH = "/__relay-bench-blank";

interface BenchWindow {
  __relayLib: PageLib;
  __pc?: RTCPeerConnection;
  __dc?: RTCDataChannel;
  __keys?: { logSecretKey: Uint8Array; logPublicKey: Uint8Array };
  __sealed?: Uint8Array[];
}

let pageLibSource: string | undefined;

/** lib code for the blank pages, bundled once per run (esbuild comes with tsx). */
async function pageLib(): Promise<string> {
  if (pageLibSource) return pageLibSource;
  const esbuild = await import("esbuild");
  const out = await esbuild.build({ entryPoints: [path.join(__dirname, "page-lib.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, logLevel: "silent" });
  pageLibSource = out.outputFiles[0]!.text;
  return pageLibSource;
}

/** A blank page on the app's origin in `context` (same IndexedDB as the app's pages there), with tweetnacl and the lib bundle. */
export async function blankPage(context: BrowserContext, baseUrl: string): Promise<Page> {
  const page = await context.newPage();
  const url = `${baseUrl}${BLANK_PATH}`;
  await page.route(url, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><meta charset=utf-8><title>relay baseline</title><body></body>" }));
  await page.goto(url);
  await nameShim(page);
  await page.addScriptTag({ path: path.join(ROOT, "node_modules/tweetnacl/nacl-fast.min.js") });
  await page.addScriptTag({ content: await pageLib() });
  return page;
}

/** Connects a data channel from `receiver` to `sender`, exchanging SDP through Playwright (non-trickle). */
export async function connectPlain(receiver: Page, sender: Page): Promise<void> {
  // Each side: a negotiated channel, then its description once ICE gathering is complete (no trickle).
  const side = async (remote: RTCSessionDescriptionInit | null): Promise<RTCSessionDescriptionInit> => {
    const w = window as unknown as BenchWindow;
    const pc = new RTCPeerConnection();
    const dc = pc.createDataChannel("relay-baseline", { negotiated: true, id: 7, ordered: true });
    dc.binaryType = "arraybuffer";
    w.__pc = pc;
    w.__dc = dc;
    if (remote) await pc.setRemoteDescription(remote);
    await pc.setLocalDescription(remote ? await pc.createAnswer() : await pc.createOffer());
    if (pc.iceGatheringState !== "complete") {
      await new Promise<void>((resolve) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve()));
    }
    return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
  };
  const offer = await receiver.evaluate(side, null);
  const answer = await sender.evaluate(side, offer);
  await receiver.evaluate((answer) => (window as unknown as BenchWindow).__pc!.setRemoteDescription(answer), answer);
  const opened = () => {
    const dc = (window as unknown as BenchWindow).__dc!;
    return dc.readyState === "open" ? undefined : new Promise<void>((resolve) => dc.addEventListener("open", () => resolve(), { once: true }));
  };
  await Promise.all([receiver.evaluate(opened), sender.evaluate(opened)]);
}

/** Serves "go" on the sender page: the account's log, 64 records per IndexedDB transaction, one binary message each. */
export async function armSender(sender: Page, account: string, chunk = CHUNK_RECORDS): Promise<void> {
  await sender.evaluate(
    ({ account, chunk }) => {
      const w = window as unknown as BenchWindow;
      const dc = w.__dc!;
      const openDb = () =>
        new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open("communisp");
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
      dc.onmessage = async (event) => {
        if (event.data !== "go") return;
        const db = await openDb();
        let after = 0;
        let count = 0;
        try {
          for (;;) {
            const range = IDBKeyRange.bound([account, after], [account, []], true, false);
            const batch = await new Promise<{ seq: number; sealed: Uint8Array }[]>((resolve, reject) => {
              const get = db.transaction("logs", "readonly").objectStore("logs").getAll(range, chunk);
              get.onsuccess = () => resolve(get.result as { seq: number; sealed: Uint8Array }[]);
              get.onerror = () => reject(get.error);
            });
            if (batch.length === 0) break;
            after = batch.at(-1)!.seq;
            let size = 0;
            for (const entry of batch) size += 4 + entry.sealed.length;
            const out = new Uint8Array(size);
            const view = new DataView(out.buffer);
            let offset = 0;
            for (const entry of batch) {
              view.setUint32(offset, entry.sealed.length);
              out.set(entry.sealed, offset + 4);
              offset += 4 + entry.sealed.length;
            }
            dc.send(out);
            count += batch.length;
          }
        } finally {
          db.close();
        }
        dc.send(`end:${count}`);
      };
    },
    { account, chunk },
  );
}

export interface KdfResult {
  /** One argon2id derivation with the bundle's parameters, in the page (ms). */
  ms: number;
}

/** Derives the log keys in the receiving page with the bundle's salt and parameters (lib/crypto deriveLogKeys), timed; keeps them for opening. */
export async function deriveInPage(receiver: Page, bundle: LogPublicBundle, passphrase: string): Promise<KdfResult> {
  return receiver.evaluate(
    async ({ bundle, passphrase }) => {
      const w = window as unknown as BenchWindow;
      const L = w.__relayLib;
      const start = performance.now();
      const keys = await L.deriveLogKeys(passphrase, L.fromBase64(bundle.salt), bundle.kdf);
      const ms = performance.now() - start;
      if (L.toBase64(keys.logPublicKey) !== bundle.logPublicKey) throw new Error("derived log key does not match the bundle");
      w.__keys = { logSecretKey: keys.logSecretKey, logPublicKey: keys.logPublicKey };
      return { ms };
    },
    { bundle, passphrase },
  );
}

export interface BaselineRun {
  /** "go" → list painted (ms). */
  totalMs: number;
  /** "go" → first batch arrived. */
  firstBatchMs: number;
  /** "go" → every record received and opened. */
  openedMs: number;
  /** Time spent in the receiver's message handlers (open + decode), ms. */
  handlerMs: number;
  /** "go" → list in the DOM. */
  committedMs: number;
  records: number;
  sealedBytes: number;
  rendered: number;
}

/** One baseline retrieval, timed in the receiving page. Keeps the sealed records there (for the component timings). */
export async function runBaseline(receiver: Page, timeoutMs: number): Promise<BaselineRun> {
  return receiver.evaluate(
    ({ timeoutMs }) => {
      const w = window as unknown as BenchWindow;
      const L = w.__relayLib;
      const dc = w.__dc!;
      const keys = w.__keys!;
      const decoder = new TextDecoder("utf-8", { fatal: true });
      document.body.replaceChildren();
      return new Promise<BaselineRun>((resolve, reject) => {
        const opener = L.selectPrimitives(crypto.subtle).then((p) => L.createLogOpener(keys, p));
        // Batches are opened one after another, in arrival order.
        let work: Promise<unknown> = opener;
        const timer = setTimeout(() => reject(new Error("baseline did not finish in time")), timeoutMs);
        const items: { from: string; text: string }[] = [];
        const sealedList: Uint8Array[] = [];
        let handlerMs = 0;
        let sealedBytes = 0;
        let firstBatch = 0;
        const start = performance.now();
        const onEnd = () => {
            const openedAt = performance.now();
            const ol = document.createElement("ol");
            for (const item of items) {
              const li = document.createElement("li");
              li.textContent = `${item.from}: ${item.text}`;
              ol.append(li);
            }
            const section = document.createElement("section");
            section.setAttribute("aria-label", "Baseline logs");
            section.append(ol);
            document.body.append(section);
            const committedAt = performance.now();
            requestAnimationFrame(() => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => {
                clearTimeout(timer);
                dc.onmessage = null;
                w.__sealed = sealedList;
                void opener.then((o) => o.close());
                resolve({
                  totalMs: performance.now() - start,
                  firstBatchMs: firstBatch - start,
                  openedMs: openedAt - start,
                  handlerMs,
                  committedMs: committedAt - start,
                  records: items.length,
                  sealedBytes,
                  rendered: section.querySelectorAll("li").length,
                });
              };
              channel.port2.postMessage(0);
            });
        };
        const onBatch = async (data: ArrayBuffer) => {
          const t0 = performance.now();
          const bytes = new Uint8Array(data);
          const view = new DataView(data);
          const batch: Uint8Array[] = [];
          for (let offset = 0; offset < bytes.length; ) {
            const length = view.getUint32(offset);
            batch.push(bytes.subarray(offset + 4, offset + 4 + length));
            offset += 4 + length;
            sealedBytes += length;
          }
          sealedList.push(...batch);
          for (const opened of await (await opener).open(batch)) {
            if (!opened) throw new Error("baseline: a record did not open");
            const record = JSON.parse(decoder.decode(opened)) as { from: string; text: string };
            items.push({ from: record.from, text: record.text });
          }
          handlerMs += performance.now() - t0;
        };
        dc.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
          const data = event.data;
          if (typeof data !== "string") firstBatch ||= performance.now();
          else if (!data.startsWith("end:")) return;
          work = work.then(() => (typeof data === "string" ? onEnd() : onBatch(data))).catch(reject);
        };
        dc.send("go");
      });
    },
    { timeoutMs },
  );
}
