// MKSKIPPED of spec §3.2: keys of messages not yet received, so that
// out-of-order messages still decrypt. Bounded three ways: MAX_SKIP per call
// (spec §3.5), MAX_SKIPPED_KEYS in total, and a time to live (our addition).
import { wipe } from "./bytes";
import { MAX_SKIP, MAX_SKIPPED_KEYS } from "./constants";
import { CryptoError } from "./errors";
import { kdfCk } from "./kdf";
import { skippedKeyId, type Session } from "./session";

/** Takes (and deletes) the stored key for (dh, n), or returns null. Spec §3.5 TrySkippedMessageKeys. */
export function trySkippedMessageKeys(state: Session, dhPub: Uint8Array, n: number): Uint8Array | null {
  const id = skippedKeyId(dhPub, n);
  const entry = state.skipped.get(id);
  if (!entry) return null;
  state.skipped.delete(id);
  return entry.mk;
}

/** When the chain a stored key for (dh, n) belongs to began, or null when no key is stored. */
export function skippedKeyChainSince(state: Session, dhPub: Uint8Array, n: number): number | null {
  return state.skipped.get(skippedKeyId(dhPub, n))?.chainSince ?? null;
}

/** Spec §3.5 SkipMessageKeys: store keys Nr..until-1 of the receiving chain. */
export function skipMessageKeys(state: Session, until: number, now: number): void {
  if (state.nr + MAX_SKIP < until) {
    throw new CryptoError("TOO_MANY_SKIPPED", `header skips ${until - state.nr} messages, more than MAX_SKIP (${MAX_SKIP})`);
  }
  if (!state.ckr || !state.dhr) return;
  while (state.nr < until) {
    const next = kdfCk(state.ckr);
    wipe(state.ckr);
    state.ckr = next.ck;
    const chainSince = state.receivingChainSince ?? now;
    state.skipped.set(skippedKeyId(state.dhr, state.nr), { dh: state.dhr.slice(), n: state.nr, mk: next.mk, storedAt: now, chainSince });
    state.nr += 1;
  }
  while (state.skipped.size > MAX_SKIPPED_KEYS) dropOldest(state);
}

function dropOldest(state: Session): void {
  const first = state.skipped.entries().next();
  if (first.done) return;
  wipe(first.value[1].mk);
  state.skipped.delete(first.value[0]);
}

/** Deletes skipped keys stored more than config.skippedKeyTtlMs ago. */
export function expireSkippedKeys(state: Session, now: number): void {
  for (const [id, entry] of state.skipped) {
    if (now - entry.storedAt > state.config.skippedKeyTtlMs) {
      wipe(entry.mk);
      state.skipped.delete(id);
    }
  }
}
