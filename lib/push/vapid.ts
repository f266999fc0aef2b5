import "server-only";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/http/api-error";
import { decodeBase64Url, isP256Point } from "./keys";

// The application server's identity towards push services (RFC 8292).
// scripts/secrets.ts generates the pair on first run; a hand-edited pair that
// is not a P-256 key would make every send fail, so it is checked once here
// and reported as the operator's problem rather than as failed pings.

export interface VapidDetails {
  subject: string;
  publicKey: string;
  privateKey: string;
}

const misconfigured = () =>
  new ApiError(503, "unavailable", "Push notifications are not configured on this server: its VAPID keys are not valid. The operator can remove them from data/secrets.env to have new ones generated.");

export function vapidDetails(): VapidDetails {
  const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject } = env();
  const pub = decodeBase64Url(publicKey);
  const priv = decodeBase64Url(privateKey);
  if (!pub || !isP256Point(pub) || priv?.length !== 32 || !/^(mailto:|https:\/\/)/.test(subject)) throw misconfigured();
  return { subject, publicKey: publicKey.replace(/=+$/, ""), privateKey: privateKey.replace(/=+$/, "") };
}
