import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

// next-auth can only answer a login with a redirect, so `authorize` leaves
// what it decided here for the route around it (app/api/auth/[...nextauth]):
// a 429 with Retry-After for a limited attempt, a device cookie for a success.

export interface LoginOutcome {
  rateLimitedFor?: number;
  loggedIn?: string;
}

const storage = new AsyncLocalStorage<LoginOutcome>();

export async function withLoginOutcome<T>(run: () => Promise<T>): Promise<{ result: T; outcome: LoginOutcome }> {
  const outcome: LoginOutcome = {};
  const result = await storage.run(outcome, run);
  return { result, outcome };
}

/** Records into the surrounding request's outcome; a no-op outside one. */
export function recordLoginOutcome(change: LoginOutcome): void {
  const outcome = storage.getStore();
  if (outcome) Object.assign(outcome, change);
}
