// Whether this process runs the built-in STUN responder, and on which UDP
// port. server.ts announces it once it is listening; the routes and the chat
// page (inside Next, in the same process) read it to point browsers at it.
// Under `next start` (hosted mode) nobody announces one, so none is offered.
//
// Loaded by server.ts outside Next's bundler as well, so no "server-only".

const holder = globalThis as unknown as { communispBuiltinStun?: { port: number } };

export function announceBuiltinStun(port: number | null): void {
  if (port === null) delete holder.communispBuiltinStun;
  else holder.communispBuiltinStun = { port };
}

export function builtinStunPort(): number | null {
  return holder.communispBuiltinStun?.port ?? null;
}
