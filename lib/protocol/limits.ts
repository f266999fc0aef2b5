// Every size limit of the data-channel protocol, in one place.

/** Largest chat text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 64 * 1024;
/**
 * Largest plaintext frame. Chat text may contain only \n and \t among control
 * characters, so JSON at worst doubles it (quotes and backslashes): 2 × 64 KiB
 * plus the envelope stays well inside this.
 */
export const MAX_FRAME_BYTES = 160 * 1024;
/**
 * Largest message on the wire (frame + ratchet header and MAC). Chromium's
 * SCTP transport accepts 256 KiB messages; staying below leaves room.
 */
export const MAX_WIRE_BYTES = 192 * 1024;
/** Message ids: 16 random bytes, base64url. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
