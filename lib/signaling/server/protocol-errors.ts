// The Pusher protocol's error vocabulary (protocol version 7). Close codes:
// 4000-4099 tell clients not to reconnect as they are, 4100-4199 to reconnect
// after backing off, 4200-4299 to reconnect at once; 4300-4399 are other
// errors. pusher-js derives its reconnect behaviour from these, so they are
// part of the contract, not decoration.

export const CloseCode = {
  /** Unknown app key. */
  AppDoesNotExist: 4001,
  /** Protocol version the server does not speak. */
  UnsupportedProtocol: 4007,
  /** The server ended the connection on the app's request (terminate_connections): do not reconnect as is. */
  Terminated: 4009,
  /** Over the connection cap, or too slow to keep up: back off, then retry. */
  OverCapacity: 4100,
  /** Server shutting down: reconnect at once (to a sibling or after restart). */
  ReconnectImmediately: 4200,
  /** A pusher:ping went unanswered. */
  PongNotReceived: 4201,
  /** Client events are refused: this deployment does not relay them. */
  ClientEventRejected: 4301,
} as const;

/** `pusher:subscription_error` types, as pusher-js itself names them. */
export type SubscriptionErrorType = "AuthError" | "LimitReached" | "InvalidChannel" | "InvalidChannelData";

/**
 * A non-fatal or fatal `pusher:error` frame. `code` is null for errors that
 * leave the connection open and carry no protocol code, as hosted Pusher
 * sends them.
 */
export function pusherErrorFrame(code: number | null, message: string, channel?: string): string {
  return JSON.stringify(
    channel === undefined
      ? { event: "pusher:error", data: { code, message } }
      : { event: "pusher:error", channel, data: { code, message } },
  );
}

/**
 * A refused subscription, addressed to the channel so pusher-js raises
 * `pusher:subscription_error` on it with the same `{type, error, status}`
 * shape it uses when the auth endpoint itself refuses.
 */
export function subscriptionErrorFrame(channel: string, type: SubscriptionErrorType, error: string, status: number): string {
  return JSON.stringify({ event: "pusher:subscription_error", channel, data: { type, error, status } });
}

/** An HTTP API failure: `status` goes on the wire, `code` is for logs and callers. */
export class RestError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 408 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RestError";
  }
}
