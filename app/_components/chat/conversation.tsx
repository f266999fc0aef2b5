"use client";

import { useState } from "react";
import type { ConversationView, Messenger } from "@/lib/chat/messenger";
import { connectionText, noticeText, problemText, refusalText } from "./chat-text";
import { Composer } from "./composer";
import { KeyWarnings } from "./key-warnings";
import { MessageList } from "./message-list";
import { MessageRequest } from "./message-request";
import { NewDeviceNotices } from "./new-device-notices";
import { SafetyNumberView } from "./safety-number";
import { UnreachableHint } from "./unreachable-hint";

export function Conversation({ messenger, conversation, turn }: { messenger: Messenger; conversation: ConversationView | null; turn: boolean }) {
  const [showSafety, setShowSafety] = useState(false);
  if (!conversation) {
    return (
      <section className="panel conversation" aria-label="Conversation">
        <p className="muted">Enter a nickname and press Connect to start a conversation.</p>
      </section>
    );
  }
  const { peer } = conversation;
  const send = async (text: string) => {
    const refusal = await messenger.sendMessage(text);
    return refusal && refusalText(refusal, peer);
  };
  return (
    <section className="panel conversation stack" aria-label={`Conversation with ${peer}`}>
      <header className="row spread">
        <h2>{peer}</h2>
        <p className="row">
          <span role="status" aria-label="Connection state">
            Connection: <strong data-state={conversation.connection}>{connectionText[conversation.connection]}</strong>
          </span>
          <button type="button" className="secondary" onClick={() => setShowSafety((v) => !v)}>
            Safety number
          </button>
        </p>
      </header>
      {conversation.problem && <p role="alert">{problemText(conversation.problem, peer)}</p>}
      {conversation.notice && (
        <p role="alert" className="warning">
          {noticeText(conversation.notice, peer)}
        </p>
      )}
      {conversation.connection === "unreachable" && <UnreachableHint peer={peer} turn={turn} />}
      <MessageRequest messenger={messenger} conversation={conversation} />
      <KeyWarnings peer={peer} warnings={conversation.keyWarnings} onAccept={(deviceId) => void messenger.acceptKeyChange(peer, deviceId)} onReview={() => setShowSafety(true)} />
      <NewDeviceNotices peer={peer} devices={conversation.newDevices} onAcknowledge={(deviceId) => void messenger.acknowledgeNewDevice(peer, deviceId)} />
      {showSafety && <SafetyNumberView peer={peer} numbers={messenger.safetyNumbers(peer)} onClose={() => setShowSafety(false)} />}
      <MessageList key={conversation.timeline.serial} timeline={conversation.timeline} peer={peer} unreachable={conversation.connection === "unreachable"} />
      <Composer onSend={send} disabled={conversation.problem !== null} />
    </section>
  );
}
