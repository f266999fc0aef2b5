import { idbGet, idbPut, transact } from "@/lib/store/idb";

// The home relay's memory of proof attempts and request ids, in IndexedDB so
// that neither a reload nor frames arriving together can reset it. Each
// change is one read-write transaction: IndexedDB runs overlapping read-write
// transactions on the same store one after the other, so two attempts can
// never both read the same count (docs/protocol.md "Retrieval and Clear").

export const MAX_FAILED_PROOFS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** Request ids remembered at once; beyond this the home is "busy" rather than forgetful. */
export const MAX_REMEMBERED_REQUESTS = 256;

export interface ProofLockout {
  failures: number;
  /** Epoch ms until which proofs are refused unverified; 0 when not locked. */
  lockedUntil: number;
}

export interface Attempt {
  /** False while locked out: the proof must be refused without being verified. */
  allowed: boolean;
  retryAfterMs: number;
  /** Attempts counted since the last success or the end of the last lockout, this one included. */
  failures: number;
}

const LOCKOUT_KEY = "relay-lockout";
const REQUESTS_KEY = "relay-request-ids";
const NO_LOCKOUT: ProofLockout = { failures: 0, lockedUntil: 0 };

type Row<T> = { account: string; key: string; value: T };

/** A lockout that has served its time counts from zero again: five guesses per fifteen minutes. */
function current(lockout: ProofLockout | undefined, now: number): ProofLockout {
  if (!lockout || (lockout.lockedUntil !== 0 && now >= lockout.lockedUntil)) return NO_LOCKOUT;
  return lockout;
}

export async function loadLockout(account: string, now: number): Promise<ProofLockout> {
  const row = await transact(["settings"], "readonly", (tx) => idbGet<Row<ProofLockout>>(tx, "settings", [account, LOCKOUT_KEY]));
  return current(row?.value, now);
}

/**
 * Counts an attempt as a failure before the proof is verified, so a proof
 * whose verification never finishes (a crash, a reload) still counted. The
 * MAX_FAILED_PROOFS-th attempt is still verified, and locks the relay for
 * LOCKOUT_MS; attempts while locked are counted and refused.
 */
export function recordProofAttempt(account: string, now: number): Promise<Attempt> {
  return transact(["settings"], "readwrite", async (tx) => {
    const row = await idbGet<Row<ProofLockout>>(tx, "settings", [account, LOCKOUT_KEY]);
    const before = current(row?.value, now);
    const locked = now < before.lockedUntil;
    const failures = before.failures + 1;
    const lockedUntil = locked ? before.lockedUntil : failures >= MAX_FAILED_PROOFS ? now + LOCKOUT_MS : 0;
    await idbPut(tx, "settings", { account, key: LOCKOUT_KEY, value: { failures, lockedUntil } } satisfies Row<ProofLockout>);
    return { allowed: !locked, retryAfterMs: locked ? before.lockedUntil - now : 0, failures };
  });
}

/** A proof verified: the attempts before it were the owner's typos. */
export async function clearProofFailures(account: string): Promise<void> {
  await transact(["settings"], "readwrite", (tx) => idbPut(tx, "settings", { account, key: LOCKOUT_KEY, value: NO_LOCKOUT } satisfies Row<ProofLockout>));
}

/**
 * Marks a request id as used until `until` (when its challenge expires, after
 * which no proof for it can be accepted anyway). "replayed" when it was used
 * before, "full" when too many are remembered already.
 */
export function claimRequestId(account: string, rid: string, until: number, now: number): Promise<"ok" | "replayed" | "full"> {
  return transact(["settings"], "readwrite", async (tx) => {
    const row = await idbGet<Row<{ rid: string; until: number }[]>>(tx, "settings", [account, REQUESTS_KEY]);
    const live = (row?.value ?? []).filter((entry) => entry.until > now);
    if (live.some((entry) => entry.rid === rid)) return "replayed";
    if (live.length >= MAX_REMEMBERED_REQUESTS) return "full";
    live.push({ rid, until });
    await idbPut(tx, "settings", { account, key: REQUESTS_KEY, value: live } satisfies Row<{ rid: string; until: number }[]>);
    return "ok";
  });
}
