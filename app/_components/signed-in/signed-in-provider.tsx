"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { ChatConfig } from "@/lib/chat/messenger";
import { useMessengerBoot, type Boot } from "../chat/use-messenger";
import { useMessageNotifications, useWorkerNavigation } from "./message-notifications";

// The signed-in pages (/chat, /settings) share one messenger and one home
// relay, started here once, in their layout (app/(signed-in)/layout.tsx):
// moving between the pages keeps every peer connection, and a home relay
// keeps answering while its person reads the settings.

export interface SignedIn {
  nickname: string;
  /** This session's device, as the server knows it (null before the device registered). */
  sessionDeviceId: string | null;
  vapidPublicKey: string;
  boot: Boot;
}

const SignedInContext = createContext<SignedIn | null>(null);

export function SignedInProvider({
  nickname,
  sessionDeviceId,
  config,
  vapidPublicKey,
  children,
}: {
  nickname: string;
  sessionDeviceId: string | null;
  config: ChatConfig;
  vapidPublicKey: string;
  children: ReactNode;
}) {
  const boot = useMessengerBoot(nickname, config);
  const messenger = boot.phase === "ready" ? boot.messenger : null;
  useMessageNotifications(messenger);
  useWorkerNavigation();
  const value = useMemo(() => ({ nickname, sessionDeviceId, vapidPublicKey, boot }), [nickname, sessionDeviceId, vapidPublicKey, boot]);
  return <SignedInContext.Provider value={value}>{children}</SignedInContext.Provider>;
}

export function useSignedIn(): SignedIn {
  const value = useContext(SignedInContext);
  if (!value) throw new TypeError("useSignedIn must be used inside SignedInProvider (app/(signed-in)/layout.tsx)");
  return value;
}
