import "server-only";
import { NextResponse } from "next/server";
import { ApiError } from "./api-error";

// Route handlers stay thin: parse → authorise → call lib → map errors. This is
// the "map errors" part, shared by all of them.

export function errorResponse(error: ApiError): NextResponse {
  return NextResponse.json(
    { error: { code: error.code, message: error.message } },
    { status: error.status, headers: { "Cache-Control": "no-store", ...error.headers } },
  );
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // Logged by name only: messages from drivers can echo request data.
  console.error(`[api] unexpected ${error instanceof Error ? error.name : typeof error}`, error instanceof Error ? error.stack?.split("\n")[1]?.trim() : "");
  return new ApiError(500, "internal_error", "Something went wrong on the server. Try again.");
}

type Handler<C> = (req: Request, context: C) => Promise<Response>;

export function route<C = unknown>(handler: Handler<C>): Handler<C> {
  return async (req, context) => {
    try {
      return await handler(req, context);
    } catch (error) {
      return errorResponse(toApiError(error));
    }
  };
}

export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: { "Cache-Control": "no-store" } });
}
