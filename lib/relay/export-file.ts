import { z } from "zod";
import { isCryptoError, toBase64, unlockLogKeys, type LogPublicBundle } from "@/lib/crypto";
import { logKdfSchema } from "@/lib/protocol";
import { openRecords, type RetrieveResult } from "./log-requester";
import { recordOpener } from "./record-opener";
import { readLogs } from "./log-store";

// "Export logs" / "Import logs": the sealed records as a file, which opens on
// any device with the passphrase (the "local file" option). The file is as
// safe as the records themselves: sealed, and carrying only public halves.

export const EXPORT_FORMAT = "communisp-sealed-logs";
const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const exportSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    v: z.literal(1),
    exportedAt: z.number().int(),
    bundle: z.object({ v: z.literal(1), logPublicKey: b64, authorityPublicKey: b64 }).extend(logKdfSchema.shape).strict(),
    records: z.array(b64),
  })
  .strict();

export async function exportLogs(account: string, bundle: LogPublicBundle, now: number): Promise<string> {
  const records: string[] = [];
  for (let after = 0; ; ) {
    const batch = await readLogs(account, after, 500);
    if (batch.length === 0) break;
    after = batch.at(-1)!.seq;
    for (const entry of batch) records.push(toBase64(entry.sealed));
  }
  return JSON.stringify({ format: EXPORT_FORMAT, v: 1, exportedAt: now, bundle, records });
}

export class ImportError extends Error {
  constructor(
    readonly reason: "not-a-log-file" | "wrong-passphrase",
    message: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}

export async function importLogs(text: string, passphrase: string): Promise<RetrieveResult> {
  let parsed: z.infer<typeof exportSchema>;
  try {
    parsed = exportSchema.parse(JSON.parse(text));
  } catch {
    throw new ImportError("not-a-log-file", "That file is not a CommunisP log export.");
  }
  let keys;
  try {
    keys = await unlockLogKeys(passphrase, parsed.bundle as LogPublicBundle);
  } catch (error) {
    if (isCryptoError(error) && error.code === "OPEN_FAILED") throw new ImportError("wrong-passphrase", "Wrong log passphrase for this file.");
    if (isCryptoError(error) && error.code === "PASSPHRASE_INVALID") throw new ImportError("wrong-passphrase", error.message);
    // Parameters below the floor (whoever made the file weakened it) or above the ceiling (it would exhaust this device).
    throw new ImportError("not-a-log-file", "This file's key parameters are weaker, or heavier, than CommunisP accepts.");
  }
  const opener = await recordOpener(keys);
  try {
    return await openRecords(parsed.records, opener);
  } finally {
    opener.close();
    keys.logSecretKey.fill(0);
    keys.authoritySecretKey.fill(0);
  }
}
