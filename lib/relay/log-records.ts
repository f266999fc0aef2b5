import { z } from "zod";

// What a sealed record holds once opened: one received chat message.

export const logRecordSchema = z
  .object({
    v: z.literal(1),
    id: z.string().max(64),
    from: z.string().max(64),
    fromDevice: z.string().max(64),
    sentAt: z.number().int(),
    receivedAt: z.number().int(),
    text: z.string(),
  })
  .strict();
export type LogRecord = z.infer<typeof logRecordSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const encodeLogRecord = (record: LogRecord) => encoder.encode(JSON.stringify(record));

export function decodeLogRecord(bytes: Uint8Array): LogRecord | null {
  try {
    const parsed = logRecordSchema.safeParse(JSON.parse(decoder.decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface PeerLog {
  peer: string;
  records: LogRecord[];
}

/** Who reached out and what they said: grouped by peer (most recent first), each in time order. */
export function groupByPeer(records: LogRecord[]): PeerLog[] {
  const groups = new Map<string, LogRecord[]>();
  for (const record of records) {
    const list = groups.get(record.from);
    if (list) list.push(record);
    else groups.set(record.from, [record]);
  }
  return [...groups]
    .map(([peer, list]) => ({ peer, records: list.sort((a, b) => a.sentAt - b.sentAt || a.receivedAt - b.receivedAt) }))
    .sort((a, b) => (b.records.at(-1)?.receivedAt ?? 0) - (a.records.at(-1)?.receivedAt ?? 0));
}
