// How a secure channel ends, and what it drops: typed codes the connection
// layer and the page switch on (never the message text).

export type ChannelErrorCode =
  | "HANDSHAKE_FAILED" // the peer could not prove who it is, or the transport gave nothing to bind to
  | "HANDSHAKE_TIMEOUT"
  | "KEY_UNAVAILABLE"
  | "SESSION_EXPIRED"
  | "REKEY_UNANSWERED" // our rekey request went unanswered for two periods: handshake again
  | "STALE_CHAIN" // the peer sent on a chain older than two periods plus the grace
  | "LINK_CLOSED";

/** Codes after which a new handshake is the remedy (the peer may just be slow to rotate). */
export const ROTATION_FAILURES: ReadonlySet<ChannelErrorCode> = new Set(["REKEY_UNANSWERED", "STALE_CHAIN"]);

/** Why a message on a ready channel was dropped, counted per reason. */
export interface ChannelDrops {
  /** Did not decrypt (forged, replayed, corrupted), did not parse as a frame, or was too large. */
  unreadable: number;
  /** Sent on a peer chain older than the rotation allows (then the channel closes). */
  staleChain: number;
}

export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    readonly cause?: string,
  ) {
    super(message);
    this.name = "ChannelError";
  }
}
