import type { ReceiveSink } from "@/lib/chat/delivery";
import { closeLogEpoch, EPOCH_MAX_MS, fromBase64, logEpochSpent, openLogEpoch, sealInEpoch, type LogEpoch, type LogPublicBundle, type RandomSource } from "@/lib/crypto";
import { encodeLogRecord } from "./log-records";
import { appendLog, nextSeq } from "./log-store";

/** A sink that holds an open log epoch: close() wipes it (logs turned off, keys changed, page leaving). */
export interface SealedLogSink extends ReceiveSink {
  close(): void;
}

/**
 * On a home relay with logs enabled, received messages are sealed to the log
 * key and stored in the same transaction as their "seen" mark, before the ack
 * goes out: an acknowledged message is a stored one, and no plaintext copy is
 * kept at rest. Records are sealed in epochs (docs/protocol.md "Sealed record,
 * version 2"): an epoch closes after EPOCH_MAX_RECORDS records, EPOCH_MAX_MS
 * after it opened (a timer wipes its chain key even if nothing more arrives),
 * when this sink is closed, or with the page: the epoch lives in memory only.
 */
export function sealedLogSink(account: string, bundle: LogPublicBundle, random: RandomSource, clock: () => number, maxEpochMs = EPOCH_MAX_MS): SealedLogSink {
  const logPublicKey = fromBase64(bundle.logPublicKey);
  let epoch: LogEpoch | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const close = () => {
    clearTimeout(timer);
    if (epoch) closeLogEpoch(epoch);
    epoch = null;
  };
  const current = (now: number): LogEpoch => {
    if (epoch && !logEpochSpent(epoch, now, maxEpochMs)) return epoch;
    close();
    epoch = openLogEpoch(logPublicKey, now, random);
    timer = setTimeout(close, maxEpochMs);
    return epoch;
  };
  return {
    stores: ["logs"],
    async write(tx, message, fromDevice) {
      const now = clock();
      const record = encodeLogRecord({ v: 1, id: message.id, from: message.peer, fromDevice, sentAt: message.at, receivedAt: now, text: message.text });
      // Sealed before the first await: the transaction stays active.
      const sealed = sealInEpoch(current(now), record);
      await appendLog(tx, { account, seq: nextSeq(now), sealed, at: now });
    },
    close,
  };
}
