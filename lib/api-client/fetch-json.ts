// The browser's side of the API's error contract: every non-2xx answer is
// {error:{code,message}}, surfaced as an ApiRequestError a person can read.

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

function describeFailure(status: number): string {
  if (status === 0) return "Cannot reach the server. Check your connection.";
  if (status >= 500) return "The server had a problem. Try again in a moment.";
  return `The request failed (HTTP ${status}).`;
}

export async function fetchJson<T>(input: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(input, {
      credentials: "same-origin",
      ...rest,
      headers: { Accept: "application/json", ...(json !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch {
    throw new ApiRequestError(0, "network", describeFailure(0));
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const retry = Number(response.headers.get("Retry-After"));
    throw new ApiRequestError(
      response.status,
      typeof error?.code === "string" ? error.code : "http_error",
      typeof error?.message === "string" ? error.message : describeFailure(response.status),
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return body as T;
}
