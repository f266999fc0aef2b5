// Opening sealed records on the device that holds the log secret key, a
// batch at a time as they stream in. Version-2 records cost one X25519 per
// epoch (run on the injected primitives, every new epoch of a batch at once)
// and then two HMACs per record along the epoch's chain; version-1 records
// (sealed before epochs existed) still cost one X25519 each. Every result is
// the record's bytes or null: a record that does not open is unreadable,
// never fatal.
import nacl from "tweetnacl";
import { assertBytes, toHex, wipe } from "./bytes";
import type { DhKeyPair } from "./dh";
import { kdfCk } from "./kdf";
import { EPOCH_MAX_RECORDS, epochNonce, epochRoot, parseEpochRecord, type EpochRecordHeader } from "./log-epoch";
import { tweetnaclPrimitives, type Primitives } from "./primitives";
import { openSealedWithShared, sealedEphemeralKey } from "./sealed-log";

/**
 * Message keys of records skipped over within an epoch (a record missing or
 * out of order), kept so that they still open when they come; bounded like
 * the ratchet's MKSKIPPED. An honest stream arrives in order and skips none.
 */
export const MAX_SKIPPED_RECORD_KEYS = 4 * EPOCH_MAX_RECORDS;

interface EpochCursor {
  /** Chain key of record `next`; null when the epoch's X25519 gave zeros (a forged E): nothing of it opens. */
  chainKey: Uint8Array | null;
  next: number;
}

export interface LogOpener {
  /** Opens a batch, in order; null for each record that does not open. */
  open(sealed: Uint8Array[]): Promise<(Uint8Array | null)[]>;
  /** Wipes every epoch key and skipped key held. Opening after close throws. */
  close(): void;
}

export async function createLogOpener(keys: { logSecretKey: Uint8Array; logPublicKey: Uint8Array }, primitives: Primitives = tweetnaclPrimitives): Promise<LogOpener> {
  assertBytes(keys?.logSecretKey, "logSecretKey", 32);
  assertBytes(keys.logPublicKey, "logPublicKey", 32);
  const logPublicKey = keys.logPublicKey.slice();
  let own: DhKeyPair | null = await primitives.x25519KeyPair(keys.logSecretKey);
  const epochs = new Map<string, EpochCursor>();
  const skipped = new Map<string, Uint8Array>(); // "E:index" → message key, oldest first

  const rememberSkipped = (id: string, mk: Uint8Array) => {
    skipped.set(id, mk);
    if (skipped.size > MAX_SKIPPED_RECORD_KEYS) {
      const [oldest, key] = skipped.entries().next().value as [string, Uint8Array];
      wipe(key);
      skipped.delete(oldest);
    }
  };

  /** The message key of record `index` of an epoch: along the chain, or from the skipped keys. */
  const messageKey = (epochId: string, cursor: EpochCursor, index: number): Uint8Array | null => {
    if (index < cursor.next) {
      const id = `${epochId}:${index}`;
      const mk = skipped.get(id) ?? null;
      skipped.delete(id);
      return mk;
    }
    if (!cursor.chainKey) return null;
    for (;;) {
      const step = kdfCk(cursor.chainKey);
      wipe(cursor.chainKey);
      cursor.chainKey = step.ck;
      const at = cursor.next++;
      if (at === index) return step.mk;
      rememberSkipped(`${epochId}:${at}`, step.mk);
    }
  };

  const openEpochRecord = (header: EpochRecordHeader): Uint8Array | null => {
    const epochId = toHex(header.ephemeralPublicKey);
    const cursor = epochs.get(epochId) as EpochCursor;
    const mk = messageKey(epochId, cursor, header.index);
    if (!mk) return null;
    const record = nacl.secretbox.open(header.box, epochNonce(header.index, header.ephemeralPublicKey), mk);
    wipe(mk);
    return record;
  };

  /** X25519 for every new epoch of the batch, and every version-1 record, at once. */
  async function dhFor(sealed: Uint8Array[], headers: (EpochRecordHeader | null)[], pair: DhKeyPair): Promise<(Uint8Array | null)[]> {
    const fresh = new Map<string, Uint8Array>();
    for (const h of headers) if (h && !epochs.has(toHex(h.ephemeralPublicKey))) fresh.set(toHex(h.ephemeralPublicKey), h.ephemeralPublicKey);
    const epochJobs = [...fresh].map(async ([id, E]) => {
      const shared = await primitives.x25519(pair, E);
      epochs.set(id, { chainKey: shared ? epochRoot(shared, E, logPublicKey) : null, next: 0 });
      wipe(shared);
    });
    const v1Jobs = sealed.map((s, i) => {
      if (headers[i]) return null;
      const E = sealedEphemeralKey(s);
      return E ? primitives.x25519(pair, E) : null;
    });
    const [, v1] = await Promise.all([Promise.all(epochJobs), Promise.all(v1Jobs)]);
    return v1;
  }

  async function openBatch(sealed: Uint8Array[]): Promise<(Uint8Array | null)[]> {
    if (!own) throw new TypeError("this log opener is closed");
    const headers = sealed.map(parseEpochRecord);
    const v1Shared = await dhFor(sealed, headers, own);
    return sealed.map((s, i) => {
        const header = headers[i];
        if (header) return openEpochRecord(header);
        const shared = v1Shared[i];
        if (!shared) return null; // malformed, or a low-order ephemeral key
        const opened = openSealedWithShared(s, shared, logPublicKey);
        wipe(shared);
        return opened.ok ? opened.record : null;
    });
  }

  // One batch at a time: a batch's epochs are known to the next.
  let turn: Promise<unknown> = Promise.resolve();
  return {
    open(sealed) {
      if (!Array.isArray(sealed)) throw new TypeError("sealed must be an array of Uint8Array");
      for (const s of sealed) assertBytes(s, "sealed record");
      const run = turn.then(() => openBatch(sealed));
      turn = run.catch(() => undefined);
      return run;
    },
    close() {
      for (const cursor of epochs.values()) wipe(cursor.chainKey);
      for (const mk of skipped.values()) wipe(mk);
      epochs.clear();
      skipped.clear();
      if (own) {
        wipe(own.secretKey);
        own.handle = undefined;
      }
      own = null;
    },
  };
}
