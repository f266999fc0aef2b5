// Every API error leaves the server as {error:{code,message}} with the status
// that belongs to it; nothing else (no stack, no internals) ever does.

export type ApiErrorCode =
  | "invalid_json"
  | "invalid_input"
  | "unsupported_media_type"
  | "payload_too_large"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "nickname_taken"
  | "no_device"
  | "already_bound"
  | "no_challenge"
  | "wrong_password"
  | "device_limit"
  | "not_online"
  | "rate_limited"
  | "unavailable"
  | "internal_error";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const unauthorized = () => new ApiError(401, "unauthorized", "Sign in first.");
export const forbidden = (what = "That belongs to someone else.") => new ApiError(403, "forbidden", what);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found.`);

export function rateLimited(retryAfterSec: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSec));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return new ApiError(429, "rate_limited", `Too many attempts. Try again in ${wait}.`, { "Retry-After": String(seconds) });
}
