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

export function Conversation({ messenger, conversation, turn, onBack }: { messenger: Messenger; conversation: ConversationView | null; turn: boolean; onBack: () => void }) {
  const [showSafety, setShowSafety] = useState(false);
  if (!conversation) {
    return (
      <section className="conversation-pane empty" aria-label="Conversation">
        <p className="muted">Choose a conversation, or enter a nickname and press Connect to start one.</p>
      </section>
    );
  }
  const { peer } = conversation;
  const send = async (text: string) => {
    const refusal = await messenger.sendMessage(text);
    return refusal && refusalText(refusal, peer);
  };
  return (
    <section className="conversation-pane conversation" aria-label={`Conversation with ${peer}`}>
      <header className="conversation-header">
        {/* Shown on a phone only (globals.css): there the conversation fills the screen. */}
        <button type="button" className="secondary back" onClick={onBack} aria-label="Back to conversations">
          <span aria-hidden="true">←</span>
        </button>
        <div className="conversation-title">
          <h2>{peer}</h2>
          <span role="status" aria-label="Connection state" className="muted">
            Connection: <strong data-state={conversation.connection}>{connectionText[conversation.connection]}</strong>
          </span>
        </div>
        <button type="button" className="secondary" aria-expanded={showSafety} onClick={() => setShowSafety((v) => !v)}>
          Safety number
        </button>
      </header>
      <div className="conversation-notes">
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
      </div>
      <MessageList key={conversation.timeline.serial} timeline={conversation.timeline} peer={peer} unreachable={conversation.connection === "unreachable"} />
      <Composer onSend={send} disabled={conversation.problem !== null} />
    </section>
  );
}
