// What runs inside the pages: the chat page driven through its DOM, as a
// person would (controlled inputs set with the native value setter and an
// `input` event, forms submitted with requestSubmit / a click), and timed
// with performance.now() and MutationObservers, so Playwright's round trips
// never fall inside a measured interval.
//
// Each exported function is serialised into the page by page.evaluate: it
// must not use anything from this module's scope, only its argument.

export interface ColdArgs {
  peer: string;
  text: string;
  timeoutMs: number;
}

/** Milliseconds from the "Connect" click; `clickEpoch` is the click in epoch ms (performance.timeOrigin + now). */
export interface ColdResult {
  clickEpoch: number;
  /** The conversation with `peer` is on screen, composer enabled. */
  open: number;
  /** The message was submitted (as soon as the composer took its text). */
  submit: number;
  /** The message is in the "Messages" log (status "sending"/"waiting…"). */
  shown: number;
  /** The connection state reads "direct" (data channel open and W-Ratchet handshake done). */
  direct: number;
  /** The message's status reads "delivered": the peer stored it and acknowledged it. */
  delivered: number;
}

export async function coldConnect(args: ColdArgs): Promise<ColdResult> {
  const yieldTask = () =>
    new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  const labelled = <T extends Element>(name: string, selector: string): T | null => {
    for (const label of document.querySelectorAll("label")) if (label.firstChild?.textContent?.trim() === name) return label.querySelector<T>(selector);
    return null;
  };
  const setValue = (el: HTMLInputElement | HTMLTextAreaElement, value: string) => {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const until = async (ok: () => boolean, what: string) => {
    const end = performance.now() + 5_000;
    while (!ok()) {
      if (performance.now() > end) throw new Error(`in page: timed out waiting for ${what}`);
      await yieldTask();
    }
  };

  const input = labelled<HTMLInputElement>("Nickname to contact", "input");
  if (!input) throw new Error("in page: no 'Nickname to contact' field");
  const connect = input.closest("form")!.querySelector<HTMLButtonElement>("button[type=submit]")!;
  setValue(input, args.peer);
  await until(() => !connect.disabled, "the Connect button to be enabled");

  const marks: Partial<Record<keyof ColdResult, number>> = {};
  const conversation = () => document.querySelector<HTMLElement>(`section[aria-label="Conversation with ${args.peer}"]`);
  const findItem = () => {
    // The list is virtualized: at the bottom, where a new message keeps it, the newest rows are rendered.
    const log = conversation()?.querySelector('[role="log"][aria-label="Messages"]');
    if (!log) return null;
    for (const li of log.querySelectorAll<HTMLElement>("li[data-status]")) if (li.querySelector(".text")?.textContent === args.text) return li;
    return null;
  };
  const submitMessage = async () => {
    const textarea = labelled<HTMLTextAreaElement>("Message", "textarea")!;
    const send = textarea.closest("form")!.querySelector<HTMLButtonElement>("button[type=submit]")!;
    setValue(textarea, args.text);
    await until(() => !send.disabled, "the Send button to be enabled");
    marks.submit = performance.now();
    textarea.closest("form")!.requestSubmit();
  };

  const clickAt = performance.now();
  const clickEpoch = performance.timeOrigin + clickAt;
  await new Promise<void>((resolve, reject) => {
    let submitting = false;
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`in page: "${args.text.slice(0, 20)}…" not delivered within ${args.timeoutMs} ms (reached: ${Object.keys(marks).join(", ") || "nothing"}; item status: ${findItem()?.dataset.status ?? "none"})`));
    }, args.timeoutMs);
    const check = () => {
      const now = performance.now();
      const section = conversation();
      const textarea = section?.querySelector<HTMLTextAreaElement>("textarea");
      if (marks.open === undefined && textarea && !textarea.disabled) marks.open = now;
      if (marks.open !== undefined && !submitting) {
        submitting = true;
        submitMessage().catch((error: unknown) => {
          clearTimeout(timer);
          observer.disconnect();
          reject(error);
        });
      }
      if (marks.direct === undefined && section?.querySelector('strong[data-state="direct"]')) marks.direct = now;
      const item = findItem();
      if (item && marks.shown === undefined) marks.shown = now;
      if (item?.dataset.status === "delivered") {
        marks.delivered = now;
        clearTimeout(timer);
        observer.disconnect();
        resolve();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    connect.click();
    check();
  });
  const since = (mark: number | undefined) => (mark === undefined ? Number.NaN : mark - clickAt);
  return { clickEpoch, open: since(marks.open), submit: since(marks.submit), shown: since(marks.shown), direct: since(marks.direct), delivered: since(marks.delivered) };
}

export interface WarmArgs {
  /** Messages in this block. */
  count: number;
  /** Index of the first one (texts are numbered across blocks, so every one is unique). */
  first: number;
  size: number;
  tag: string;
  timeoutMs: number;
}

export interface WarmResult {
  /** Per message, ms from submit to the status reading "delivered". */
  roundTrip: number[];
  /** Per message, ms from submit to the message appearing in the log. */
  shown: number[];
  /** Per message, submit time in epoch ms. */
  submitEpoch: number[];
  /** Per message, delivered time in epoch ms. */
  deliveredEpoch: number[];
  /** Wall time of the whole block, ms (includes setting each text). */
  wallMs: number;
  /** Messages loaded in the page after the block (the log's data-count: it stays bounded, the oldest are let go at the bottom). */
  loadedAfter: number;
}

/**
 * Sends `count` messages one after another in the open conversation: each is
 * typed (native setter + input event), submitted, and the next one waits for
 * its status to read "delivered".
 */
export async function warmBlock(args: WarmArgs): Promise<WarmResult> {
  const yieldTask = () =>
    new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  let textarea: HTMLTextAreaElement | null = null;
  for (const label of document.querySelectorAll("label")) if (label.firstChild?.textContent?.trim() === "Message") textarea = label.querySelector("textarea");
  const log = document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]');
  const rows = log?.querySelector("ol");
  if (!textarea || !log || !rows) throw new Error("in page: no open conversation");
  const form = textarea.closest("form")!;
  const send = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!;
  const textOf = (i: number) => {
    const head = `${args.tag}-${i} `;
    return head + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(args.size / 36)).slice(0, args.size - head.length);
  };

  let waiting: { text: string; shown: number; resolve: (t: number) => void } | null = null;
  const check = () => {
    if (!waiting) return;
    // The list stays at the bottom while messages are sent: the last row rendered is the newest message.
    const item = rows.lastElementChild as HTMLElement | null;
    if (!item || item.querySelector(".text")?.textContent !== waiting.text) return;
    const now = performance.now();
    if (!waiting.shown) waiting.shown = now;
    if (item.dataset.status === "delivered") {
      const done = waiting;
      waiting = null;
      done.resolve(now);
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(log, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"], characterData: true });

  const result: WarmResult = { roundTrip: [], shown: [], submitEpoch: [], deliveredEpoch: [], wallMs: 0, loadedAfter: 0 };
  const started = performance.now();
  try {
    for (let i = args.first; i < args.first + args.count; i++) {
      const text = textOf(i);
      setter.call(textarea, text);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      // React commits the controlled value's state in a microtask or a task.
      for (let spins = 0; send.disabled; spins++) {
        if (spins > 10_000) throw new Error("in page: the Send button stayed disabled");
        await (spins < 3 ? Promise.resolve() : yieldTask());
      }
      const entry = { text, shown: 0, resolve: (_t: number) => undefined as void };
      const delivered = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`in page: message ${i} not delivered within ${args.timeoutMs} ms`)), args.timeoutMs);
        entry.resolve = (t) => {
          clearTimeout(timer);
          resolve(t);
        };
      });
      waiting = entry;
      const t0 = performance.now();
      form.requestSubmit();
      const t1 = await delivered;
      // Each message went through the composer's React state exactly once: one row carries it.
      const copies = [...rows.children].filter((li) => li.querySelector(".text")?.textContent === text).length;
      if (copies !== 1) throw new Error(`in page: message ${i} shows ${copies} times`);
      result.roundTrip.push(t1 - t0);
      result.shown.push(entry.shown - t0);
      result.submitEpoch.push(performance.timeOrigin + t0);
      result.deliveredEpoch.push(performance.timeOrigin + t1);
    }
  } finally {
    observer.disconnect();
  }
  result.wallMs = performance.now() - started;
  result.loadedAfter = Number(log.dataset.count);
  return result;
}

// The baseline: a bare RTCDataChannel between the same two pages, set up
// without any server (the SDP goes through page.evaluate), echoing bytes.

interface BaselineHandle {
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
}

/** Creates the connection and its channel; resolves with the offer once ICE gathering is complete, and the ms it took. */
export async function baselineOffer(): Promise<{ sdp: string; ms: number }> {
  const t0 = performance.now();
  const pc = new RTCPeerConnection({ iceServers: [] });
  // The same channel shape as the product's: negotiated, ordered, reliable.
  const channel = pc.createDataChannel("baseline", { negotiated: true, id: 0, ordered: true });
  channel.binaryType = "arraybuffer";
  (globalThis as unknown as { __benchBaseline: BaselineHandle }).__benchBaseline = { pc, channel };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
  });
  return { sdp: pc.localDescription!.sdp, ms: performance.now() - t0 };
}

/** The echoing side: answers the offer, and sends every message straight back. */
export async function baselineAnswer(offer: string): Promise<{ sdp: string; ms: number }> {
  const t0 = performance.now();
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel("baseline", { negotiated: true, id: 0, ordered: true });
  channel.binaryType = "arraybuffer";
  channel.onmessage = (event: MessageEvent<ArrayBuffer>) => channel.send(event.data);
  (globalThis as unknown as { __benchBaseline: BaselineHandle }).__benchBaseline = { pc, channel };
  await pc.setRemoteDescription({ type: "offer", sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
  });
  return { sdp: pc.localDescription!.sdp, ms: performance.now() - t0 };
}

/** Applies the answer; resolves with the ms until the channel opened (ICE, DTLS, SCTP). */
export async function baselineConnect(answer: string): Promise<number> {
  const t0 = performance.now();
  const { pc, channel } = (globalThis as unknown as { __benchBaseline: BaselineHandle }).__benchBaseline;
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  if (channel.readyState === "open") return performance.now() - t0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`in page: baseline channel did not open (ICE ${pc.iceConnectionState})`)), 15_000);
    channel.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return performance.now() - t0;
}

/** `count` sequential round trips of a `size`-byte message; per message ms, and the block's wall time. */
export async function baselineBlock(args: { count: number; size: number; timeoutMs: number }): Promise<{ roundTrip: number[]; wallMs: number }> {
  const { channel } = (globalThis as unknown as { __benchBaseline: BaselineHandle }).__benchBaseline;
  const payload = new Uint8Array(args.size);
  let pending: ((t: number) => void) | null = null;
  channel.onmessage = () => {
    const now = performance.now();
    const done = pending;
    pending = null;
    done?.(now);
  };
  const roundTrip: number[] = [];
  const started = performance.now();
  for (let i = 0; i < args.count; i++) {
    payload[0] = i & 0xff;
    const echoed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`in page: baseline echo ${i} not back within ${args.timeoutMs} ms`)), args.timeoutMs);
      pending = (t) => {
        clearTimeout(timer);
        resolve(t);
      };
    });
    const t0 = performance.now();
    channel.send(payload);
    roundTrip.push((await echoed) - t0);
  }
  return { roundTrip, wallMs: performance.now() - started };
}

export function baselineClose(): void {
  const handle = (globalThis as unknown as { __benchBaseline?: BaselineHandle }).__benchBaseline;
  handle?.channel.close();
  handle?.pc.close();
}
