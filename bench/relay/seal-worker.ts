// Seals a slice of log records in a worker thread, exactly as
// lib/relay/sealed-sink.ts does on the home relay: encodeLogRecord, then
// seal() to the log public key with fresh randomness per record.
import { randomBytes } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { fromBase64, seal } from "../../lib/crypto";
import { encodeLogRecord, type LogRecord } from "../../lib/relay/log-records";

const { logPublicKey, records } = workerData as { logPublicKey: string; records: LogRecord[] };
const key = fromBase64(logPublicKey);
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const sealed = records.map((record) => seal(encodeLogRecord(record), key, random));
parentPort!.postMessage(sealed, sealed.map((s) => s.buffer as ArrayBuffer));
