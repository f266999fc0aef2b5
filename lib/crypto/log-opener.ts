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
  // Every epoch seen, by E (hex): its X25519 is started as soon as a batch
  // naming it is handed in, so it runs (on WebCrypto's threads) while earlier
  // batches are still being opened here; the chain itself advances in order.
  const epochs = new Map<string, Promise<EpochCursor>>();
  const cursors = new Set<EpochCursor>(); // for close()
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

  const openEpochRecord = (header: EpochRecordHeader, cursor: EpochCursor): Uint8Array | null => {
    const mk = messageKey(toHex(header.ephemeralPublicKey), cursor, header.index);
    if (!mk) return null;
    const record = nacl.secretbox.open(header.box, epochNonce(header.index, header.ephemeralPublicKey), mk);
    wipe(mk);
    return record;
  };

  /** The epoch's cursor, its X25519 started now if it is new. */
  const epochOf = (pair: DhKeyPair, E: Uint8Array): Promise<EpochCursor> => {
    const id = toHex(E);
    let cursor = epochs.get(id);
    if (!cursor) {
      const ephemeral = E.slice();
      cursor = primitives.x25519(pair, ephemeral).then((shared) => {
        const made: EpochCursor = { chainKey: shared ? epochRoot(shared, ephemeral, logPublicKey) : null, next: 0 };
        wipe(shared);
        cursors.add(made);
        return made;
      });
      epochs.set(id, cursor);
    }
    return cursor;
  };

  // Batches are opened in the order they were handed in: a batch's epochs are known to the next.
  let turn: Promise<unknown> = Promise.resolve();
  return {
    open(sealed) {
      if (!Array.isArray(sealed)) throw new TypeError("sealed must be an array of Uint8Array");
      for (const s of sealed) assertBytes(s, "sealed record");
      if (!own) return Promise.reject(new TypeError("this log opener is closed"));
      const pair = own;
      const headers = sealed.map(parseEpochRecord);
      // Started now, awaited in turn.
      const dhs = sealed.map((s, i) => {
        const header = headers[i];
        if (header) return epochOf(pair, header.ephemeralPublicKey);
        const E = sealedEphemeralKey(s);
        return E ? primitives.x25519(pair, E) : Promise.resolve(null);
      });
      const run = turn.then(async () => {
        const ready = await Promise.all(dhs);
        if (!own) throw new TypeError("this log opener is closed");
        return sealed.map((s, i) => {
          const header = headers[i];
          if (header) return openEpochRecord(header, ready[i] as EpochCursor);
          const shared = ready[i] as Uint8Array | null;
          if (!shared) return null; // malformed, or a low-order ephemeral key
          const opened = openSealedWithShared(s, shared, logPublicKey);
          wipe(shared);
          return opened.ok ? opened.record : null;
        });
      });
      turn = run.catch(() => undefined);
      return run;
    },
    close() {
      for (const cursor of cursors) wipe(cursor.chainKey);
      for (const mk of skipped.values()) wipe(mk);
      cursors.clear();
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
