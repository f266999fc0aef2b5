import type { ReceiveSink } from "@/lib/chat/delivery";
import { fromBase64, seal, type LogPublicBundle, type RandomSource } from "@/lib/crypto";
import { encodeLogRecord } from "./log-records";
import { appendLog, nextSeq } from "./log-store";

/**
 * On a home relay with logs enabled, received messages are sealed to the log
 * key and stored in the same transaction as their "seen" mark, before the ack
 * goes out: an acknowledged message is a stored one, and no plaintext copy is
 * kept at rest.
 */
export function sealedLogSink(account: string, bundle: LogPublicBundle, random: RandomSource, clock: () => number): ReceiveSink {
  const logPublicKey = fromBase64(bundle.logPublicKey);
  return {
    stores: ["logs"],
    async write(tx, message, fromDevice) {
      const now = clock();
      const record = encodeLogRecord({ v: 1, id: message.id, from: message.peer, fromDevice, sentAt: message.at, receivedAt: now, text: message.text });
      await appendLog(tx, { account, seq: nextSeq(now), sealed: seal(record, logPublicKey, random), at: now });
    },
  };
}
