import nacl from "tweetnacl";
import { fromBase64, toBase64 } from "@/lib/crypto";
import { bindingMessage, type BindChallenge, type BindRequest } from "@/lib/account-devices/binding";
import { ApiRequestError, fetchJson } from "./fetch-json";

// Sign-up and login from the browser. Login talks to next-auth's credentials
// callback directly (as next-auth/react's signIn does) so that a 429 from the
// rate limiter reaches the form as words instead of a broken redirect.

export async function signUp(nickname: string, password: string): Promise<{ nickname: string }> {
  return fetchJson("/api/register", { method: "POST", json: { nickname, password } });
}

export async function logIn(nickname: string, password: string): Promise<void> {
  const { csrfToken } = await fetchJson<{ csrfToken: string }>("/api/auth/csrf");
  let response: Response;
  try {
    response = await fetch("/api/auth/callback/credentials", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Auth-Return-Redirect": "1" },
      body: new URLSearchParams({ nickname, password, csrfToken, callbackUrl: "/chat", json: "true" }),
    });
  } catch {
    throw new ApiRequestError(0, "network", "Cannot reach the server. Check your connection.");
  }
  const body = (await response.json().catch(() => ({}))) as { url?: string; error?: { code?: string; message?: string } };
  if (response.status === 429 || body.error) {
    throw new ApiRequestError(response.status, body.error?.code ?? "http_error", body.error?.message ?? "Too many attempts. Try again later.");
  }
  const error = body.url ? new URL(body.url, window.location.origin).searchParams.get("error") : "unknown";
  if (!response.ok || error) {
    // Deliberately the same words whether the nickname exists or not.
    throw new ApiRequestError(401, "invalid_credentials", "Wrong nickname or password.");
  }
}

export async function logOut(): Promise<void> {
  const { csrfToken } = await fetchJson<{ csrfToken: string }>("/api/auth/csrf");
  await fetch("/api/auth/signout", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/login", json: "true" }),
  });
}

/**
 * Binds this browser's session to a device it registered before, proving it
 * holds the device's signing key (lib/account-devices/binding.ts). A new device needs
 * none of this: registering it binds the session.
 */
export async function bindSessionToDevice(deviceId: string, signSecretKey: Uint8Array): Promise<void> {
  const { challenge } = await fetchJson<BindChallenge>("/api/session/challenge", { method: "POST" });
  const signature = nacl.sign.detached(bindingMessage(fromBase64(challenge), deviceId), signSecretKey);
  await fetchJson("/api/session/device", { method: "POST", json: { deviceId, signature: toBase64(signature) } satisfies BindRequest });
}
