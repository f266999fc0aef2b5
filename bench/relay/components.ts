// Each step of our retrieval on its own, timed in the receiving Chromium (a
// blank page with the same lib code bundled), over the very records the
// baseline moved. Not a second measurement of the whole: a breakdown that
// says where the measured time can go.
//
// Home side (the home relay runs the same code in its own process):
//   toBase64 per record, encodeFrame (zod + JSON) and ratchetEncrypt per chunk.
// Requester side:
//   ratchetDecrypt and decodeFrame per chunk, fromBase64 per record, the log
//   opener a chunk at a time (one X25519 per epoch, then the chain; one per
//   record for version-1 records) on the page's native primitives and on
//   tweetnacl, decodeLogRecord (JSON + zod), and building the list's rows
//   (RetrievedLog: grouping and sorting, then flattening).

import type { Page } from "playwright-core";
import type { PageLib } from "./page-lib";

export interface Components {
  records: number;
  chunks: number;
  /** Distinct epochs among the records (version 2), and version-1 records. */
  epochs: number;
  v1Records: number;
  primitives: string;
  home: { toBase64Ms: number; encodeFrameMs: number; ratchetEncryptMs: number };
  phone: {
    ratchetDecryptMs: number;
    decodeFrameMs: number;
    fromBase64Ms: number;
    openNativeMs: number;
    openTweetnaclMs: number;
    decodeLogRecordMs: number;
    listRowsMs: number;
  };
}

interface ComponentsWindow {
  __relayLib: PageLib;
  __keys?: { logSecretKey: Uint8Array; logPublicKey: Uint8Array };
  __sealed?: Uint8Array[];
}

export async function measureComponents(receiver: Page, chunk: number): Promise<Components> {
  return receiver.evaluate(async (chunk) => {
    const w = window as unknown as ComponentsWindow;
    const L = w.__relayLib;
    const sealed = w.__sealed!;
    const keys = w.__keys!;
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const time = async <T>(work: () => T | Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const out = await work();
      return [out, performance.now() - start];
    };
    const primitives = await L.selectPrimitives(crypto.subtle);

    // Home side.
    const [b64, toBase64Ms] = await time(() => sealed.map((s) => L.toBase64(s)));
    const groups: string[][] = [];
    for (let i = 0; i < b64.length; i += chunk) groups.push(b64.slice(i, i + chunk));
    const rid = "AAAAAAAAAAAAAAAAAAAAAA";
    const [encoded, encodeFrameMs] = await time(() => groups.map((records, seq) => L.encodeFrame({ t: "log-chunk", rid, seq, records })));
    const ids = [L.generateIdentity(random), L.generateIdentity(random)] as const;
    const now = Date.now();
    const ha = await L.createHello({ identity: ids[0], nickname: "alice", deviceId: "home", random, primitives });
    const hb = await L.createHello({ identity: ids[1], nickname: "alice", deviceId: "phone", random, primitives });
    const xa = await L.acceptHello(ha.state, hb.hello, { expectedPeer: { signPublicKey: ids[1].signPublicKey } });
    const xb = await L.acceptHello(hb.state, ha.hello, { expectedPeer: { signPublicKey: ids[0].signPublicKey } });
    const home = await L.finishHandshake(xa.state, xb.auth, { now, random });
    const phone = await L.finishHandshake(xb.state, xa.auth, { now, random });
    const [wires, ratchetEncryptMs] = await time(() => encoded.map((bytes) => L.ratchetEncrypt(home, bytes, now)));

    // Requester side.
    const [plains, ratchetDecryptMs] = await time(async () => {
      const out: Uint8Array[] = [];
      for (const wire of wires) {
        const r = await L.ratchetDecrypt(phone, wire, now, random, primitives);
        if (!r.ok) throw new Error(`ratchetDecrypt: ${r.code}`);
        out.push(r.plaintext);
      }
      return out;
    });
    const [frames, decodeFrameMs] = await time(() =>
      plains.map((p) => {
        const d = L.decodeFrame(p);
        if (!d.ok || d.frame.t !== "log-chunk") throw new Error("decodeFrame failed");
        return d.frame.records;
      }),
    );
    const [bytes, fromBase64Ms] = await time(() => frames.flat().map((s) => L.fromBase64(s)));
    const openAll = async (p: typeof primitives) => {
      const opener = await L.createLogOpener(keys, p);
      const out: (Uint8Array | null)[] = [];
      for (let i = 0; i < bytes.length; i += chunk) out.push(...(await opener.open(bytes.slice(i, i + chunk))));
      opener.close();
      if (out.some((r) => r === null)) throw new Error("a record did not open");
      return out as Uint8Array[];
    };
    const [opened, openNativeMs] = await time(() => openAll(primitives));
    const [, openTweetnaclMs] = await time(() => openAll(L.tweetnaclPrimitives));
    const [records, decodeLogRecordMs] = await time(() => opened.map((r) => L.decodeLogRecord(r)!));
    const [, listRowsMs] = await time(() => {
      const log = new L.RetrievedLog();
      for (let i = 0; i < records.length; i += chunk) log.add(records.slice(i, i + chunk));
      return log.rows().length;
    });
    const epochs = new Set(sealed.filter((s) => s[0] === 2).map((s) => L.toHex(s.subarray(2, 34)))).size;
    return {
      records: sealed.length,
      chunks: groups.length,
      epochs,
      v1Records: sealed.filter((s) => s[0] === 1).length,
      primitives: primitives.name,
      home: { toBase64Ms, encodeFrameMs, ratchetEncryptMs },
      phone: { ratchetDecryptMs, decodeFrameMs, fromBase64Ms, openNativeMs, openTweetnaclMs, decodeLogRecordMs, listRowsMs },
    };
  }, chunk);
}
