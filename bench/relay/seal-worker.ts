// Seals a slice of log records in a worker thread, exactly as
// lib/relay/sealed-sink.ts does on the home relay: encodeLogRecord, then
// sealInEpoch, a new epoch (one X25519) whenever the last is spent by count
// or by the record's receive time; or, for format 1, seal() per record.
import { randomBytes } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { closeLogEpoch, fromBase64, logEpochSpent, openLogEpoch, seal, sealInEpoch, type LogEpoch } from "../../lib/crypto";
import { encodeLogRecord, type LogRecord } from "../../lib/relay/log-records";

const { logPublicKey, records, format } = workerData as { logPublicKey: string; records: LogRecord[]; format: 1 | 2 };
const key = fromBase64(logPublicKey);
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
let epoch: LogEpoch | null = null;
const sealed = records.map((record) => {
  if (format === 1) return seal(encodeLogRecord(record), key, random);
  if (!epoch || logEpochSpent(epoch, record.receivedAt)) {
    if (epoch) closeLogEpoch(epoch);
    epoch = openLogEpoch(key, record.receivedAt, random);
  }
  return sealInEpoch(epoch, encodeLogRecord(record));
});
parentPort!.postMessage(sealed, sealed.map((s) => s.buffer as ArrayBuffer));
