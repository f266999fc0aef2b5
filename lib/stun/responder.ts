import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";
import { answerBinding } from "./binding";
import { ReplyBudget, type ReplyBudgetRule } from "./reply-budget";

// The built-in STUN responder `npm start` runs (server.ts) on UDP: browsers
// behind ordinary NATs learn their public address from it (a server-reflexive
// candidate) and can connect directly. It knows no credentials and relays
// nothing; that is TURN's job (docs/nat.md).

export interface StunResponder {
  /** The address and UDP port it is bound to. */
  address: string;
  port: number;
  /** Datagrams answered and ignored since start (for tests and the log). */
  stats(): { answered: number; ignored: number; overBudget: number };
  close(): Promise<void>;
}

export class StunBindError extends Error {
  readonly code = "STUN_PORT_UNAVAILABLE" as const;
  constructor(host: string, port: number, cause: string) {
    super(`The built-in STUN responder cannot listen on udp ${host}:${port} (${cause}). Set STUN_PORT to a free UDP port, or STUN_PORT=off if another STUN server (coturn) answers there.`);
    this.name = "StunBindError";
  }
}

export async function startStunResponder(opts: { host: string; port: number; budget?: ReplyBudgetRule; clock?: () => number }): Promise<StunResponder> {
  // A wildcard "::" socket is dual-stack and sees IPv4 senders as ::ffff:a.b.c.d,
  // which the answer turns back into an IPv4 address.
  const socket: Socket = createSocket({ type: isIP(opts.host) === 6 ? "udp6" : "udp4" });
  const budget = new ReplyBudget(opts.budget, opts.clock ?? Date.now);
  const counts = { answered: 0, ignored: 0, overBudget: 0 };

  socket.on("message", (datagram, from) => {
    const outcome = answerBinding(datagram, from);
    if (outcome.kind === "ignored") {
      counts.ignored += 1;
      return;
    }
    if (!budget.take(from.address)) {
      counts.overBudget += 1;
      return;
    }
    counts.answered += 1;
    socket.send(outcome.bytes, from.port, from.address);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      // The socket was made before the bind failed: close it, or its handle outlives the refusal.
      socket.close();
      reject(new StunBindError(opts.host, opts.port, error.code ?? error.message));
    };
    socket.once("error", onError);
    socket.bind(opts.port, opts.host, () => {
      socket.off("error", onError);
      resolve();
    });
  });
  // After start, a failing send (an unreachable sender) is no reason to stop answering others.
  socket.on("error", () => undefined);

  const bound = socket.address();
  let closing: Promise<void> | undefined;
  return {
    address: bound.address,
    port: bound.port,
    stats: () => ({ ...counts }),
    close() {
      closing ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closing;
    },
  };
}
