"use client";

import Link from "next/link";
import { logOut } from "@/lib/api-client/auth";
import type { ChatConfig, Messenger } from "@/lib/chat/messenger";
import { ConnectForm } from "./connect-form";
import { ContactList } from "./contact-list";
import { accountNoticeText, signalingText } from "./chat-text";
import { NewDeviceAlerts } from "./new-device-alerts";
import { Conversation } from "./conversation";
import { RelayPanel } from "../relay/relay-panel";
import { SecureContextNotice } from "../secure-context-notice";
import { useMessenger, useMessengerBoot } from "./use-messenger";

export function ChatApp({ nickname, config, vapidPublicKey }: { nickname: string; config: ChatConfig; vapidPublicKey: string }) {
  const boot = useMessengerBoot(nickname, config);
  const messenger = boot.phase === "ready" ? boot.messenger : null;
  const relay = boot.phase === "ready" ? boot.relay : null;
  const signaling = useMessenger(messenger, (s) => s.signaling);
  const notice = useMessenger(messenger, (s) => s.notice);
  const droppedFrames = useMessenger(messenger, (s) => s.droppedFrames);
  const staleChains = useMessenger(messenger, (s) => s.staleChains);

  return (
    <main className="chat">
      <header className="row spread topbar">
        <h1>CommunisP</h1>
        <div className="row">
          <span>
            Signed in as <strong>{nickname}</strong>
          </span>
          <Link href="/settings">Settings</Link>
          <button className="secondary" type="button" onClick={() => logOut().then(() => window.location.assign("/login"))}>
            Log out
          </button>
        </div>
      </header>
      <SecureContextNotice />
      <section className="panel device" aria-label="This device">
        {boot.phase === "registering" && <p role="status">Setting up this device&apos;s keys…</p>}
        {boot.phase === "locked" && (
          <p role="alert">CommunisP is already open in another tab of this browser. Use that tab, or close it and reload this one.</p>
        )}
        {boot.phase === "failed" && <p role="alert">{boot.message}</p>}
        {messenger && (
          <p role="status">
            This device: <strong>{messenger.device.name}</strong> <span className="muted">(keys ready)</span> · <span>{signalingText[signaling]}</span>
            {droppedFrames > 0 && <span className="muted"> · {droppedFrames} unreadable messages dropped</span>}
            {staleChains > 0 && <span className="muted"> · {staleChains} refused for skipping the 60 s key rotation</span>}
          </p>
        )}
      </section>
      {messenger && <NewDeviceAlerts account={nickname} deviceId={messenger.device.deviceId} signaling={messenger.signaling} />}
      {notice && (
        <p role="status" className="panel notice row spread">
          <span>{accountNoticeText(notice)}</span>
          <button type="button" className="secondary" onClick={() => messenger?.dismissNotice()}>
            Dismiss
          </button>
        </p>
      )}
      {messenger && relay && (
        <div className="chat-grid">
          <aside className="stack sidebar">
            <div className="panel stack">
              <ConnectForm onConnect={(peer) => messenger.openConversation(peer)} />
              <Contacts messenger={messenger} />
            </div>
            <RelayPanel relay={relay} deviceId={messenger.device.deviceId} turnConfigured={messenger.turnConfigured} vapidPublicKey={vapidPublicKey} />
          </aside>
          <OpenConversation messenger={messenger} turn={messenger.turnConfigured} />
        </div>
      )}
    </main>
  );
}

function Contacts({ messenger }: { messenger: Messenger }) {
  const contacts = useMessenger(messenger, (s) => s.contacts);
  const active = useMessenger(messenger, (s) => s.conversation?.peer ?? null);
  return <ContactList contacts={contacts} active={active} onOpen={(peer) => void messenger.openConversation(peer)} />;
}

function OpenConversation({ messenger, turn }: { messenger: Messenger; turn: boolean }) {
  const conversation = useMessenger(messenger, (s) => s.conversation);
  return <Conversation messenger={messenger} conversation={conversation} turn={turn} />;
}
