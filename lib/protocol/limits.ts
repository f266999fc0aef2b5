// Every size limit of the data-channel protocol, in one place.

/** Largest chat text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 64 * 1024;
/**
 * Largest plaintext frame. Chat text may contain only \n and \t among control
 * characters, so JSON at worst doubles it (quotes and backslashes): 128 KiB. A
 * home-relay chunk carrying one such message sealed and in base64 is about
 * 171 KiB. Both fit.
 */
export const MAX_FRAME_BYTES = 240 * 1024;
/**
 * Largest message on the wire (frame + ratchet header and MAC). Chromium's
 * SCTP transport accepts 256 KiB messages (SDP max-message-size 262144).
 */
export const MAX_WIRE_BYTES = 248 * 1024;
/** Message ids: 16 random bytes, base64url. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
