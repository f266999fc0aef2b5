import "server-only";
import { createHmac } from "node:crypto";

// TURN credentials in coturn's REST scheme (`use-auth-secret`, after
// draft-uberti-behave-turn-rest-00 §2.2): the username carries its own expiry,
// the password is an HMAC the TURN server recomputes from its copy of the
// secret. Nothing is stored; a credential is worthless after `expiresAt`.
//
//   username = "<expiry unix seconds>:<device id>"
//   password = base64(HMAC-SHA1(secret, username))

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix time in milliseconds after which the TURN server refuses it. */
  expiresAt: number;
}

export function mintTurnCredential(secret: string, deviceId: string, nowMs: number, ttlSeconds: number): TurnCredential {
  if (secret.length === 0) throw new TypeError("the TURN secret must not be empty");
  // coturn splits the username at its first ":" (rest-api-separator).
  if (deviceId.length === 0 || deviceId.includes(":")) throw new TypeError("a device id must be non-empty and contain no ':'");
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError("ttlSeconds must be a positive integer");
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${deviceId}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential, expiresAt: expiry * 1000 };
}
