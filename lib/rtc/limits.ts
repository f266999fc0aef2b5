// Limits of the WebRTC layer, named in one place.

/** ICE candidates held while no remote description is set yet. */
export const maxPendingRemoteCandidates = 128;
/** Incoming signals waiting for the previous one to be applied. */
export const maxQueuedSignals = 256;
/** How long "disconnected" may last before we try an ICE restart. */
export const disconnectedGraceMs = 5_000;
/** ICE restarts tried before the link is given up as offline. */
export const maxIceRestarts = 2;
/** After an ICE restart, how long to wait for "connected" before trying again or giving up. */
export const iceRestartTimeoutMs = 15_000;
/**
 * Once the other side has answered, how long ICE may take to find a working
 * candidate pair before the peer counts as unreachable from this network
 * (a symmetric NAT without TURN, a firewall). Host and server-reflexive
 * pairs, and TURN relays, connect within a few seconds when they can.
 */
export const iceConnectTimeoutMs = 15_000;
/** ICE always gets at least this long after the answer arrives, however late it came. */
export const minIceCheckMs = 5_000;
/** Before the data channel first opens, how long to wait before giving up. */
export const openTimeoutMs = 30_000;
/** Data-channel backpressure: stop queueing above this many buffered bytes. */
export const highWaterMarkBytes = 1024 * 1024;
/** ...and resume once the buffer drains below this. */
export const lowWaterMarkBytes = 256 * 1024;
/** The one data channel every link carries, negotiated out of band on both sides. */
export const DATA_CHANNEL = { label: "communisp", id: 0 } as const;
