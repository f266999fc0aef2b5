import PusherJs, { type Options } from "pusher-js";
import { fetchJson } from "@/lib/api-client/fetch-json";
import { Emitter } from "@/lib/shared/emitter";
import { pusherOptions, type PageLocation } from "./pusher-options";
import { memberInfoSchema, NOTICE_EVENT, SIGNAL_EVENT, signalEventSchema, userChannel, type MemberInfo, type SignalEvent, type SignalingClientConfig, type SignalRequest } from "./schemas";

// The browser's one signaling connection per tab: pusher-js on the user's own
// presence channel, where signals for this device arrive (stamped by the
// server) and where the user's other devices come and go. Everything that
// arrives is parsed before use; what does not parse is dropped and counted.

/** "ended": the server refused this session (signed out elsewhere, or the device was revoked); nothing retries. */
export type SignalingState = "connecting" | "connected" | "unavailable" | "offline" | "ended";

export interface OwnDeviceEvent {
  type: "added" | "removed";
  deviceId: string;
  info: MemberInfo | null;
}

export interface SignalingClient {
  readonly deviceId: string;
  state(): SignalingState;
  onState(listener: (state: SignalingState) => void): () => void;
  onSignal(listener: (signal: SignalEvent) => void): () => void;
  onOwnDevice(listener: (event: OwnDeviceEvent) => void): () => void;
  onNotice(listener: (notice: unknown) => void): () => void;
  /** Other devices of this account that are online now. */
  ownDevicesOnline(): Map<string, MemberInfo | null>;
  send(signal: SignalRequest): Promise<void>;
  /** Frames dropped because they did not parse. */
  dropped(): number;
  close(): void;
}

const MAX_BACKOFF_MS = 30_000;


export interface SignalingOptions {
  config: SignalingClientConfig;
  nickname: string;
  deviceId: string;
  location?: PageLocation;
  /** Another way to authorize channels than POST /api/pusher/auth on the page's origin (tests outside a page). */
  channelAuthorization?: Options["channelAuthorization"];
}

export function connectSignaling(opts: SignalingOptions): SignalingClient {
  const { config, nickname, deviceId } = opts;
  const options = pusherOptions(config, opts.location ?? window.location);
  const pusher = new PusherJs(config.key, opts.channelAuthorization ? { ...options, channelAuthorization: opts.channelAuthorization } : options);

  const listeners = { state: new Emitter<SignalingState>(), signal: new Emitter<SignalEvent>(), own: new Emitter<OwnDeviceEvent>(), notice: new Emitter<unknown>() };
  const ownDevices = new Map<string, MemberInfo | null>();
  let state: SignalingState = "connecting";
  let dropped = 0;
  let closed = false;
  let backoff = 1_000;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: SignalingState) => {
    if (next === state) return;
    state = next;
    listeners.state.emit(next);
  };
  const parseInfo = (info: unknown): MemberInfo | null => {
    const parsed = memberInfoSchema.safeParse(info);
    return parsed.success ? parsed.data : null;
  };

  const channelName = userChannel(nickname);
  let channel = subscribe();

  function subscribe() {
    const ch = pusher.subscribe(channelName);
    ch.bind("pusher:subscription_succeeded", (members: { each(cb: (m: { id: string; info: unknown }) => void): void }) => {
      backoff = 1_000;
      ownDevices.clear();
      members.each((m) => {
        if (m.id !== deviceId) ownDevices.set(m.id, parseInfo(m.info));
      });
      for (const [id, info] of ownDevices) listeners.own.emit({ type: "added", deviceId: id, info });
      setState("connected");
    });
    ch.bind("pusher:subscription_error", (error: { status?: number } | undefined) => {
      // No session any more: retrying would only collect 401s.
      if (error?.status === 401) return end();
      // Refused for now (e.g. the session's device binding is not there yet): try again later.
      scheduleResubscribe();
    });
    ch.bind("pusher:member_added", (m: { id: string; info: unknown }) => {
      if (m.id === deviceId) return;
      const info = parseInfo(m.info);
      ownDevices.set(m.id, info);
      listeners.own.emit({ type: "added", deviceId: m.id, info });
    });
    ch.bind("pusher:member_removed", (m: { id: string }) => {
      if (m.id === deviceId || !ownDevices.delete(m.id)) return;
      listeners.own.emit({ type: "removed", deviceId: m.id, info: null });
    });
    ch.bind(SIGNAL_EVENT, (raw: unknown) => {
      const parsed = signalEventSchema.safeParse(raw);
      if (!parsed.success) {
        dropped += 1;
        return;
      }
      const signal = parsed.data;
      // Our own channel carries signals for every device of the account.
      if (signal.toDevice !== undefined && signal.toDevice !== deviceId) return;
      if (signal.from.deviceId === deviceId) return;
      listeners.signal.emit(signal);
    });
    ch.bind(NOTICE_EVENT, (raw: unknown) => listeners.notice.emit(raw));
    return ch;
  }

  function scheduleResubscribe() {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (closed) return;
      pusher.unsubscribe(channelName);
      channel = subscribe();
    }, backoff);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }

  function end() {
    if (closed) return;
    closed = true;
    if (retry) clearTimeout(retry);
    pusher.disconnect();
    setState("ended");
  }

  pusher.connection.bind("state_change", ({ current }: { current: string }) => {
    if (closed) return;
    if (current === "connected") {
      if (channel.subscribed) setState("connected");
      return;
    }
    if (current === "connecting" || current === "initialized") setState("connecting");
    else if (current === "unavailable") setState("unavailable");
    else if (current === "failed" || current === "disconnected") {
      setState("offline");
      // pusher-js gives up on some protocol errors (4000-4099); we do not.
      if (!retry) {
        retry = setTimeout(() => {
          retry = undefined;
          if (!closed) pusher.connect();
        }, backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  });

  return {
    deviceId,
    state: () => state,
    onState: (l) => listeners.state.on(l),
    onSignal: (l) => listeners.signal.on(l),
    onOwnDevice: (l) => listeners.own.on(l),
    onNotice: (l) => listeners.notice.on(l),
    ownDevicesOnline: () => new Map(ownDevices),
    async send(signal) {
      await fetchJson("/api/signal", { method: "POST", json: signal });
    },
    dropped: () => dropped,
    close() {
      if (closed) return;
      closed = true;
      if (retry) clearTimeout(retry);
      pusher.disconnect();
      setState("offline");
    },
  };
}
