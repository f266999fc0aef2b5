"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { ApiRequestError } from "@/lib/api-client/fetch-json";
import { EMPTY_SNAPSHOT, type ChatSnapshot } from "@/lib/chat/chat-store";
import { holdDeviceLock } from "@/lib/chat/device-lock";
import { Messenger, type ChatConfig } from "@/lib/chat/messenger";
import { HomeRelay, type RelaySnapshot } from "@/lib/relay/home-relay";
import { LogSink } from "@/lib/relay/log-sink";
import { browserRandom } from "@/lib/this-device/browser-random";
import { defaultDeviceName } from "@/lib/this-device/device-name";
import { ensureDevice } from "@/lib/this-device/ensure-device";

export type Boot =
  | { phase: "registering" }
  | { phase: "locked" }
  | { phase: "failed"; message: string }
  | { phase: "ready"; messenger: Messenger; relay: HomeRelay };

/**
 * Registers this browser's device, takes the one-tab lock, and starts the
 * messenger with the home relay: the relay decides where received messages
 * are stored (its log sink, given to the messenger where delivery is built)
 * and reads its settings before the messenger starts.
 */
export function useMessengerBoot(nickname: string, config: ChatConfig): Boot {
  const [boot, setBoot] = useState<Boot>({ phase: "registering" });
  useEffect(() => {
    let cancelled = false;
    let messenger: Messenger | undefined;
    let relay: HomeRelay | undefined;
    let release = () => undefined as void;
    (async () => {
      const lock = await holdDeviceLock(nickname);
      if (!lock.held) return !cancelled && setBoot({ phase: "locked" });
      release = lock.release;
      const device = await ensureDevice(nickname, defaultDeviceName(navigator.userAgent, window.innerWidth));
      if (cancelled) return;
      const logSink = new LogSink(nickname, browserRandom);
      messenger = new Messenger({ ...device, nickname }, config, { receiveSink: logSink.current });
      relay = new HomeRelay(messenger, logSink, browserRandom);
      await relay.start();
      await messenger.start();
      if (!cancelled) setBoot({ phase: "ready", messenger, relay });
    })().catch((error: unknown) => {
      if (!cancelled) setBoot({ phase: "failed", message: error instanceof ApiRequestError ? error.message : "This browser could not set up its device keys." });
    });
    return () => {
      cancelled = true;
      relay?.stop();
      messenger?.stop();
      release();
    };
    // The configuration comes from the server once per page load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nickname]);
  return boot;
}

const noop = () => () => undefined;

/**
 * One slice of the chat's snapshot. Slices keep their identity until they
 * change, so a component re-renders only when its own part does: a
 * connection change re-renders the conversation header, not the contacts.
 */
export function useMessenger<T>(messenger: Messenger | null, select: (snapshot: ChatSnapshot) => T): T {
  return useSyncExternalStore(
    messenger?.subscribe ?? noop,
    () => select(messenger ? messenger.getSnapshot() : EMPTY_SNAPSHOT),
    () => select(EMPTY_SNAPSHOT),
  );
}

const emptyRelay: RelaySnapshot = { settings: { logBundle: null, logsEnabled: false, pingOnReceived: false }, logCount: 0 };

export function useRelaySnapshot(relay: HomeRelay | null): RelaySnapshot {
  return useSyncExternalStore(relay?.subscribe ?? noop, relay?.getSnapshot ?? (() => emptyRelay), () => emptyRelay);
}
