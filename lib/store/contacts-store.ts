import { accountRange, idbGetAll, idbPut, transact } from "./idb";

/** Recent nicknames this account talked with, most recent first. */
export interface Contact {
  account: string;
  nickname: string;
  lastAt: number;
}

export async function listContacts(account: string): Promise<Contact[]> {
  const all = await transact(["contacts"], "readonly", (tx) => idbGetAll<Contact>(tx, "contacts", accountRange(account)));
  return all.sort((a, b) => b.lastAt - a.lastAt);
}

export const touchContact = (account: string, nickname: string, at: number) =>
  transact(["contacts"], "readwrite", (tx) => idbPut(tx, "contacts", { account, nickname, lastAt: at } satisfies Contact)).then(() => undefined);
