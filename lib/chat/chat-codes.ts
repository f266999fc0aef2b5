import { nicknameSchema } from "@/lib/auth/nickname";
import type { ChannelErrorCode } from "@/lib/channel/channel-error";
import { chatTextSchema, type ChatTextRule } from "@/lib/protocol";
import type { StoreError } from "@/lib/store/idb";

// What lib/chat tells the page, as typed values: the page words them
// (app/_components/chat/chat-text.ts). Nothing here is English for a person.

export type NicknameRule = "too-short" | "too-long" | "characters";

/** Why the open conversation cannot be used. */
export type ConversationProblem =
  | { code: "nickname-invalid"; rule: NicknameRule }
  | { code: "nickname-self" }
  | { code: "nickname-unknown" }
  | { code: "lookup-failed" };

/**
 * What happened to one of the peer's connections that the person should know:
 * the channel's own code. REKEY_UNANSWERED and STALE_CHAIN close it and a new
 * one is made; the handshake codes mean it was refused.
 */
export type ConnectionNotice = { code: Exclude<ChannelErrorCode, "LINK_CLOSED" | "SESSION_EXPIRED"> };

/**
 * What the open conversation tells about its peer: a connection's trouble, or
 * (for a peer whose keys are pinned already) that the server could not be
 * asked for its devices just now: the conversation stays usable.
 */
export type ConversationNotice = ConnectionNotice | { code: "lookup-unavailable" };

/** Why a message was not queued (or, for "storage", not kept). */
export type SendRefusal =
  | { code: "no-conversation" }
  | { code: "text-invalid"; rule: ChatTextRule }
  | { code: "key-changed" }
  | { code: "blocked" }
  | { code: "storage"; reason: StoreError["code"] };

/** A content-free notice from another device of this account. */
export type AccountNotice = { code: "home-relay-received"; count: number };

/** The nickname typed into "Nickname to contact", or the rule it breaks. */
export function parseNickname(input: string): { ok: true; nickname: string } | { ok: false; problem: ConversationProblem } {
  const parsed = nicknameSchema.safeParse(input);
  if (parsed.success) return { ok: true, nickname: parsed.data };
  const code = parsed.error.issues[0]?.code;
  return { ok: false, problem: { code: "nickname-invalid", rule: code === "too_small" ? "too-short" : code === "too_big" ? "too-long" : "characters" } };
}

/** The rule a chat text breaks, or null. */
export function chatTextRule(text: string): ChatTextRule | null {
  const parsed = chatTextSchema.safeParse(text);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const rule = issue && "params" in issue ? (issue.params as { rule?: ChatTextRule } | undefined)?.rule : undefined;
  return rule ?? "empty";
}

/** The notice a channel's failure deserves, if any (an idle session ending is not news). */
export function connectionNotice(code: ChannelErrorCode): ConnectionNotice | null {
  return code === "LINK_CLOSED" || code === "SESSION_EXPIRED" ? null : { code };
}
