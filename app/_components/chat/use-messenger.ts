"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { ApiRequestError } from "@/lib/api-client/fetch-json";
import { holdDeviceLock } from "@/lib/chat/device-lock";
import { Messenger, type ChatConfig, type MessengerSnapshot } from "@/lib/chat/messenger";
import { defaultDeviceName } from "@/lib/this-device/device-name";
import { browserRandom } from "@/lib/this-device/browser-random";
import { ensureDevice } from "@/lib/this-device/ensure-device";
import { HomeRelay, type RelaySnapshot } from "@/lib/relay/home-relay";

export type Boot =
  | { phase: "registering" }
  | { phase: "locked" }
  | { phase: "failed"; message: string }
  | { phase: "ready"; messenger: Messenger; relay: HomeRelay };

/** Registers this browser's device, takes the one-tab lock, and starts the messenger. */
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
      messenger = new Messenger({ ...device, nickname }, config);
      relay = new HomeRelay(messenger, browserRandom);
      // Settings first: a home relay must seal the very first message it receives.
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

const emptySnapshot: MessengerSnapshot = { signaling: "connecting", contacts: [], conversation: null, droppedFrames: 0, staleChains: 0, notice: null };
const noop = () => () => undefined;

/**
 * One slice of the messenger's state. Slices keep their identity until they
 * change, so a component re-renders only when its own part does: a new
 * message re-renders the conversation, not the settings or the contacts.
 */
export function useMessenger<T>(messenger: Messenger | null, select: (snapshot: MessengerSnapshot) => T): T {
  return useSyncExternalStore(
    messenger?.subscribe ?? noop,
    () => select(messenger ? messenger.getSnapshot() : emptySnapshot),
    () => select(emptySnapshot),
  );
}

const emptyRelay: RelaySnapshot = { settings: { logBundle: null, logsEnabled: false, pingOnReceived: false }, logCount: 0 };

export function useRelaySnapshot(relay: HomeRelay | null): RelaySnapshot {
  return useSyncExternalStore(relay?.subscribe ?? noop, relay?.getSnapshot ?? (() => emptyRelay), () => emptyRelay);
}
