"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import type { Messenger } from "@/lib/chat/messenger";
import { ConnectForm } from "./connect-form";
import { ConversationList } from "./conversation-list";
import { accountNoticeText } from "./chat-text";
import { NewDeviceAlerts } from "./new-device-alerts";
import { Conversation } from "./conversation";
import { SecureContextNotice } from "../secure-context-notice";
import { DeviceStatus } from "../signed-in/device-status";
import { useSignedIn } from "../signed-in/signed-in-provider";
import { useMessenger } from "./use-messenger";

/**
 * /chat: the conversation list and the open conversation. On a phone one of
 * the two fills the screen (the list until a conversation opens, Back
 * returns to it); from 768 px they stand side by side (globals.css).
 */
export function ChatApp() {
  const { nickname, boot } = useSignedIn();
  const messenger = boot.phase === "ready" ? boot.messenger : null;
  const open = useMessenger(messenger, (s) => s.conversation !== null);
  useConversationFromUrl(messenger);
  useOnScreen(messenger);

  return (
    <main className="chat-shell" data-view={open ? "conversation" : "list"}>
      <div className="list-pane stack">
        <header className="row spread topbar">
          <h1>CommunisP</h1>
          <Link className="button secondary" href="/settings">
            Settings
          </Link>
        </header>
        <DeviceStatus nickname={nickname} boot={boot} />
        <SecureContextNotice />
        {messenger && <AccountNotices nickname={nickname} messenger={messenger} />}
        {messenger && (
          <>
            <ConnectForm onConnect={(peer) => messenger.openConversation(peer)} />
            <Contacts messenger={messenger} />
          </>
        )}
      </div>
      {messenger && <OpenConversation messenger={messenger} />}
    </main>
  );
}

function AccountNotices({ nickname, messenger }: { nickname: string; messenger: Messenger }) {
  const notice = useMessenger(messenger, (s) => s.notice);
  return (
    <>
      <NewDeviceAlerts account={nickname} deviceId={messenger.device.deviceId} signaling={messenger.signaling} />
      {notice && (
        <p role="status" className="panel notice row spread">
          <span>{accountNoticeText(notice)}</span>
          <button type="button" className="secondary" onClick={() => messenger.dismissNotice()}>
            Dismiss
          </button>
        </p>
      )}
    </>
  );
}

function Contacts({ messenger }: { messenger: Messenger }) {
  const contacts = useMessenger(messenger, (s) => s.contacts);
  const active = useMessenger(messenger, (s) => s.conversation?.peer ?? null);
  return <ConversationList contacts={contacts} active={active} onOpen={(peer) => void messenger.openConversation(peer)} />;
}

function OpenConversation({ messenger }: { messenger: Messenger }) {
  const conversation = useMessenger(messenger, (s) => s.conversation);
  return <Conversation messenger={messenger} conversation={conversation} turn={messenger.turnConfigured} onBack={() => messenger.closeConversation()} />;
}

/**
 * /chat?with=NICK (a clicked "New message" notification) opens that
 * conversation, then the address is plain /chat again. Only someone already in
 * the conversation list: opening a conversation dials the peer, and a link
 * anyone can send must not make this browser dial a stranger (and show them
 * its network address).
 */
function useConversationFromUrl(messenger: Messenger | null): void {
  const peer = useSearchParams().get("with");
  const router = useRouter();
  useEffect(() => {
    if (!messenger || !peer) return;
    if (messenger.getSnapshot().contacts.some((c) => c.nickname === peer)) void messenger.openConversation(peer);
    router.replace("/chat", { scroll: false });
  }, [messenger, peer, router]);
}

/** While this page is shown and visible, the open conversation is on screen: its messages are read as they come. */
function useOnScreen(messenger: Messenger | null): void {
  useEffect(() => {
    if (!messenger) return;
    const update = () => messenger.setConversationOnScreen(document.visibilityState === "visible");
    update();
    document.addEventListener("visibilitychange", update);
    return () => {
      document.removeEventListener("visibilitychange", update);
      messenger.setConversationOnScreen(false);
    };
  }, [messenger]);
}
