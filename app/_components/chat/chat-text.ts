import type { AccountNotice, ConversationNotice, ConversationProblem, SendRefusal } from "@/lib/chat/chat-codes";
import type { ReachState } from "@/lib/chat/connections";
import type { SignalingState } from "@/lib/signaling/client";
import type { StoredMessage } from "@/lib/store/history-store";
import { NICKNAME_MAX, NICKNAME_MIN } from "@/lib/auth/nickname";
import { MAX_TEXT_BYTES } from "@/lib/protocol";

// Every sentence the chat says to a person, from the typed values lib/chat
// hands the page (lib/chat/chat-codes.ts). One place to read them all, and
// to translate them one day.

export const signalingText: Record<SignalingState, string> = {
  connecting: "connecting to the server…",
  connected: "online",
  unavailable: "server unreachable, retrying…",
  offline: "offline",
  ended: "signed out: this session ended (logged out elsewhere, or this device was revoked). Log in again to continue.",
};

export const connectionText: Record<ReachState, string> = {
  connecting: "connecting",
  direct: "direct",
  relayed: "relayed (TURN)",
  offline: "offline",
  unreachable: "unreachable",
};

export function problemText(problem: ConversationProblem, peer: string): string {
  switch (problem.code) {
    case "nickname-invalid":
      return problem.rule === "too-short"
        ? `A nickname must be at least ${NICKNAME_MIN} characters.`
        : problem.rule === "too-long"
          ? `A nickname must be at most ${NICKNAME_MAX} characters.`
          : "A nickname may only contain letters a–z, digits, _ and -.";
    case "nickname-self":
      return "That is you. Enter someone else's nickname.";
    case "nickname-unknown":
      return `There is no one called "${peer}".`;
    case "lookup-failed":
      return "Could not look that nickname up. Try again.";
  }
}

export function noticeText(notice: ConversationNotice, peer: string): string {
  switch (notice.code) {
    case "lookup-unavailable":
      return `Could not ask the server about ${peer}'s devices just now. Messages wait here and go out once a connection to ${peer} works.`;
    case "REKEY_UNANSWERED":
      return `One of ${peer}'s devices stopped answering key rotations: the connection was closed and is being made again.`;
    case "STALE_CHAIN":
      return `One of ${peer}'s devices kept using a key older than the 60 s rotation allows: the connection was closed and is being made again.`;
    case "HANDSHAKE_TIMEOUT":
      return `A connection to one of ${peer}'s devices was refused: it did not answer in time.`;
    case "KEY_UNAVAILABLE":
      return `A connection to one of ${peer}'s devices was refused: its key could not be checked.`;
    case "HANDSHAKE_FAILED":
      return `A connection to one of ${peer}'s devices was refused: it could not prove it is the device the server lists.`;
  }
}

export function refusalText(refusal: SendRefusal, peer: string): string {
  switch (refusal.code) {
    case "no-conversation":
      return "Connect to someone first.";
    case "text-invalid":
      return refusal.rule === "empty"
        ? "A message must not be empty."
        : refusal.rule === "too-long"
          ? `A message must be at most ${MAX_TEXT_BYTES / 1024} KiB.`
          : "A message must not contain control characters.";
    case "key-changed":
      return `Sending is paused: a security key of ${peer} changed. Review it first.`;
    case "blocked":
      return `You blocked ${peer}. Accept them first to write to them.`;
    case "storage":
      return refusal.reason === "quota"
        ? "This browser's storage is full: the message may have gone out, but it is not kept here."
        : "This browser's storage failed: the message may have gone out, but it is not kept here.";
  }
}

export function accountNoticeText(notice: AccountNotice): string {
  return `Your home relay received ${notice.count} new message${notice.count === 1 ? "" : "s"}.`;
}

export function statusText(message: StoredMessage, peer: string, unreachable: boolean): string {
  // Online but no network path: saying "sending" or "waiting to come online" would mislead.
  if (unreachable && (message.status === "pending" || message.status === "waiting")) return `waiting: can't reach ${peer} from this network`;
  switch (message.status) {
    case "pending":
      return "sending";
    case "waiting":
      return `waiting for ${peer} to come online`;
    case "delivered":
      return "delivered";
    case "received":
      return "received";
  }
}
