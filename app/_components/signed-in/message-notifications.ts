"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import type { Messenger } from "@/lib/chat/messenger";
import { showMessageNotification } from "@/lib/push/message-notification";

/**
 * A message that arrives while the page is hidden (another tab in front, the
 * browser minimised, the phone locked) shows "New message": no sender, no
 * text. Visible, the conversation list's unread count says it.
 */
export function useMessageNotifications(messenger: Messenger | null): void {
  useEffect(() => {
    if (!messenger) return;
    return messenger.received.on(({ message }) => {
      if (document.visibilityState !== "hidden") return;
      // Not shown costs nothing but the alert: the unread count still has it.
      showMessageNotification(message.peer).catch(() => undefined);
    });
  }, [messenger]);
}

/** Only these reach the router: /chat, or /chat with a conversation (public/sw.js sends nothing else). */
const WORKER_TARGET = /^\/chat(\?with=[a-z0-9_-]{3,24})?$/;

/**
 * A notification clicked while this tab is open: the service worker brings
 * the tab forward and says where to go, and the page goes there without a
 * reload (a reload would drop the messenger's peers).
 */
export function useWorkerNavigation(): void {
  const router = useRouter();
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (typeof data !== "object" || data === null || (data as { type?: unknown }).type !== "open") return;
      const url = (data as { url?: unknown }).url;
      if (typeof url === "string" && WORKER_TARGET.test(url)) router.push(url);
    };
    navigator.serviceWorker.addEventListener("message", onMessage);
    return () => navigator.serviceWorker.removeEventListener("message", onMessage);
  }, [router]);
}
