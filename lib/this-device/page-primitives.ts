import { selectPrimitives } from "@/lib/crypto/select-primitives";
import type { Primitives } from "@/lib/crypto/primitives";

// This page's X25519/Ed25519: WebCrypto's native ones when the browser has
// them and they pass the RFCs' known answers, tweetnacl otherwise. Chosen once
// per page (a few hundred microseconds) and shared by every secure channel.

let chosen: Promise<Primitives> | undefined;

export function pagePrimitives(): Promise<Primitives> {
  chosen ??= selectPrimitives(globalThis.crypto?.subtle);
  return chosen;
}

/**
 * Pins the primitives every later pagePrimitives() call returns (null: choose
 * again). For unit tests whose fakes run a fixed number of event-loop turns:
 * tweetnacl settles in microtasks, native WebCrypto on other threads.
 */
export function pinPagePrimitives(primitives: Primitives | null): void {
  chosen = primitives ? Promise.resolve(primitives) : undefined;
}
