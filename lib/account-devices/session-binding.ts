import "server-only";
import { randomBytes } from "node:crypto";
import nacl from "tweetnacl";
import { db } from "@/lib/db/client";
import { ApiError } from "@/lib/http/api-error";
import { bindingMessage, CHALLENGE_BYTES, type BindRequest } from "./binding";
import { liveDevice } from "./devices";

// The server's half of lib/account-devices/binding.ts: a one-time challenge kept on
// the session row, and the signature check against the device's registered
// Ed25519 key (tweetnacl's verify, the same code the handshake uses).

const CHALLENGE_TTL_MS = 5 * 60_000;

const alreadyBound = () => new ApiError(409, "already_bound", "This browser's session already belongs to another device. Log out and in again.");
const noProof = () => new ApiError(403, "forbidden", "This browser could not prove it holds that device's keys.");

export async function issueBindChallenge(sessionIdHash: string, now = new Date()): Promise<string> {
  const challenge = randomBytes(CHALLENGE_BYTES).toString("base64");
  await db().session.update({ where: { idHash: sessionIdHash }, data: { bindChallenge: challenge, bindChallengeAt: now } });
  return challenge;
}

/** Binds the session to an existing device of its user, given that device's signature over the challenge. */
export async function bindSessionToDevice(session: { idHash: string; userId: string; deviceId: string | null }, request: BindRequest, now = new Date()): Promise<void> {
  if (session.deviceId === request.deviceId) return;
  if (session.deviceId !== null) throw alreadyBound();
  const row = await db().session.findUnique({ where: { idHash: session.idHash }, select: { bindChallenge: true, bindChallengeAt: true } });
  if (!row?.bindChallenge || !row.bindChallengeAt || now.getTime() - row.bindChallengeAt.getTime() > CHALLENGE_TTL_MS) {
    throw new ApiError(409, "no_challenge", "Ask for a binding challenge first (POST /api/session/challenge); it is valid for 5 minutes.");
  }
  const device = await liveDevice(session.userId, request.deviceId);
  if (!device) throw noProof();
  const key = Buffer.from(device.signPublicKey, "base64");
  const message = bindingMessage(Buffer.from(row.bindChallenge, "base64"), request.deviceId);
  const valid = key.length === nacl.sign.publicKeyLength && nacl.sign.detached.verify(message, Buffer.from(request.signature, "base64"), key);
  if (!valid) throw noProof();
  // Spent by the bind that uses it (only this session can try it, and no
  // number of tries forges an Ed25519 signature, so a refused try changes nothing).
  const { count } = await db().session.updateMany({
    where: { idHash: session.idHash, deviceId: null, bindChallenge: row.bindChallenge },
    data: { deviceId: request.deviceId, bindChallenge: null, bindChallengeAt: null },
  });
  if (count === 0) throw alreadyBound();
}
