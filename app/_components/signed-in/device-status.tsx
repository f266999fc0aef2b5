"use client";

import type { Boot } from "../chat/use-messenger";
import { useMessenger } from "../chat/use-messenger";
import { signalingText } from "../chat/chat-text";

/** Whether this device's keys are ready and the server reachable: one line, at the top of /chat and of /settings. */
export function DeviceStatus({ nickname, boot }: { nickname: string; boot: Boot }) {
  const messenger = boot.phase === "ready" ? boot.messenger : null;
  const signaling = useMessenger(messenger, (s) => s.signaling);
  const droppedFrames = useMessenger(messenger, (s) => s.droppedFrames);
  const staleChains = useMessenger(messenger, (s) => s.staleChains);
  if (boot.phase === "registering") return <p role="status">Setting up this device&apos;s keys…</p>;
  if (boot.phase === "locked") return <p role="alert">CommunisP is already open in another tab of this browser. Use that tab, or close it and reload this one.</p>;
  if (boot.phase === "failed") return <p role="alert">{boot.message}</p>;
  return (
    <p role="status" className="muted device-line">
      Signed in as <strong>{nickname}</strong> · This device: {boot.messenger.device.name} <span>(keys ready)</span> · <span data-signaling={signaling}>{signalingText[signaling]}</span>
      {droppedFrames > 0 && <span> · {droppedFrames} unreadable messages dropped</span>}
      {staleChains > 0 && <span> · {staleChains} refused for skipping the 60 s key rotation</span>}
    </p>
  );
}
