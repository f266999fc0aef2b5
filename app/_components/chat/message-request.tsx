"use client";

import { useSyncExternalStore } from "react";
import type { ConversationView, Messenger } from "@/lib/chat/messenger";

/**
 * A first message from someone this account never wrote to nor accepted:
 * Accept makes them a contact; Block cuts their devices off and refuses them
 * before any WebRTC work from then on.
 */
export function MessageRequest({ messenger, conversation }: { messenger: Messenger; conversation: ConversationView }) {
  const { peer, stranger, blocked } = conversation;
  if (blocked) {
    return (
      <section aria-label="Blocked" className="warning stack">
        <p>You blocked {peer}. Their devices cannot connect to this one, and nothing they send arrives.</p>
        <div className="row">
          <button type="button" className="secondary" onClick={() => void messenger.acceptPeer(peer)}>
            Unblock
          </button>
        </div>
      </section>
    );
  }
  return stranger ? <StrangerRequest messenger={messenger} conversation={conversation} /> : null;
}

/** Shown once the stranger has written (a message of theirs is in the conversation). */
function StrangerRequest({ messenger, conversation }: { messenger: Messenger; conversation: ConversationView }) {
  const { peer, timeline } = conversation;
  const wrote = useSyncExternalStore(timeline.subscribe, () => timeline.getState().incoming, () => false);
  if (!wrote) return null;
  return (
    <section aria-label="Message request" className="notice stack">
      <p>
        {peer} is not in your contacts. Accept to talk with them (writing back accepts too), or block them: their devices will not be able to connect to this one
        again.
      </p>
      <div className="row">
        <button type="button" onClick={() => void messenger.acceptPeer(peer)}>
          Accept
        </button>
        <button type="button" className="secondary" onClick={() => void messenger.blockPeer(peer)}>
          Block
        </button>
      </div>
    </section>
  );
}
