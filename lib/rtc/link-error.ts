/**
 * ERR_UNREACHABLE: the other side answered, but no candidate pair ever
 * worked (ICE failed, or nothing succeeded within iceConnectTimeoutMs): the
 * networks in between need a TURN relay. ERR_OPEN_TIMEOUT: the other side
 * never answered. ERR_ICE_FAILED: a link that worked lost its path and ICE
 * restarts did not find another.
 */
export type LinkErrorCode =
  | "ERR_SET_REMOTE_DESCRIPTION"
  | "ERR_SET_LOCAL_DESCRIPTION"
  | "ERR_OPEN_TIMEOUT"
  | "ERR_UNREACHABLE"
  | "ERR_ICE_FAILED"
  | "ERR_QUEUE_FULL"
  | "ERR_NOT_OPEN";

export class LinkError extends Error {
  constructor(
    readonly code: LinkErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "LinkError";
  }
}
