// Each step of our retrieval on its own, timed in the receiving Chromium (a
// blank page with the same lib code bundled), over the very records the
// baseline moved. Not a second measurement of the whole: a breakdown that
// says where the measured time can go.
//
// Home side (the home relay runs the same code in its own process):
//   toBase64 per record, encodeFrame (zod + JSON) and ratchetEncrypt per chunk.
// Requester side:
//   ratchetDecrypt and decodeFrame per chunk, fromBase64 and openSealed per
//   record (openSealed split into its parts: the nonce's SHA-256, the log
//   public key recomputed from the secret key on every call, box.open),
//   decodeLogRecord (JSON + zod), groupByPeer, and the date formatting the
//   list does for every item (retrieve-panel.tsx's `time()`).
// And one alternative: opening with WebCrypto's X25519 (native) and
// tweetnacl's secretbox, to show what the floor could be.

import type { Page } from "playwright-core";
import type { PageLib } from "./page-lib";

export interface Components {
  records: number;
  chunks: number;
  home: { toBase64Ms: number; encodeFrameMs: number; ratchetEncryptMs: number };
  phone: {
    ratchetDecryptMs: number;
    decodeFrameMs: number;
    fromBase64Ms: number;
    openSealedMs: number;
    /** Parts of openSealed. */
    sealNonceMs: number;
    publicKeyFromSecretMs: number;
    boxOpenMs: number;
    decodeLogRecordMs: number;
    groupByPeerMs: number;
    dateFormatMs: number;
  };
  /** Opening every record with WebCrypto X25519 + HSalsa20 + secretbox (a chunk at a time, awaited per chunk), or null if unsupported. */
  webCryptoOpenMs: number | null;
  webCryptoError?: string;
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
    const { nacl } = L;
    const sealed = w.__sealed!;
    const keys = w.__keys!;
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const time = <T>(work: () => T): [T, number] => {
      const start = performance.now();
      const out = work();
      return [out, performance.now() - start];
    };

    // Home side.
    const [b64, toBase64Ms] = time(() => sealed.map((s) => L.toBase64(s)));
    const groups: string[][] = [];
    for (let i = 0; i < b64.length; i += chunk) groups.push(b64.slice(i, i + chunk));
    const rid = "AAAAAAAAAAAAAAAAAAAAAA";
    const [encoded, encodeFrameMs] = time(() => groups.map((records, seq) => L.encodeFrame({ t: "log-chunk", rid, seq, records })));
    const ids = [L.generateIdentity(random), L.generateIdentity(random)] as const;
    const now = Date.now();
    const ha = L.createHello({ identity: ids[0], nickname: "alice", deviceId: "home", random });
    const hb = L.createHello({ identity: ids[1], nickname: "alice", deviceId: "phone", random });
    const xa = L.acceptHello(ha.state, hb.hello, { expectedPeer: { signPublicKey: ids[1].signPublicKey } });
    const xb = L.acceptHello(hb.state, ha.hello, { expectedPeer: { signPublicKey: ids[0].signPublicKey } });
    const home = L.finishHandshake(xa.state, xb.auth, { now, random });
    const phone = L.finishHandshake(xb.state, xa.auth, { now, random });
    const [wires, ratchetEncryptMs] = time(() => encoded.map((bytes) => L.ratchetEncrypt(home, bytes, now)));

    // Requester side.
    const [plains, ratchetDecryptMs] = time(() =>
      wires.map((wire) => {
        const r = L.ratchetDecrypt(phone, wire, now, random);
        if (!r.ok) throw new Error(`ratchetDecrypt: ${r.code}`);
        return r.plaintext;
      }),
    );
    const [frames, decodeFrameMs] = time(() =>
      plains.map((p) => {
        const d = L.decodeFrame(p);
        if (!d.ok || d.frame.t !== "log-chunk") throw new Error("decodeFrame failed");
        return d.frame.records;
      }),
    );
    const [bytes, fromBase64Ms] = time(() => frames.flat().map((s) => L.fromBase64(s)));
    const [opened, openSealedMs] = time(() =>
      bytes.map((b) => {
        const o = L.openSealed(b, keys.logSecretKey);
        if (!o.ok) throw new Error(`openSealed: ${o.code}`);
        return o.record;
      }),
    );
    const label = new TextEncoder().encode(L.sealNonceLabel);
    const [nonces, sealNonceMs] = time(() =>
      bytes.map((b) => {
        const input = new Uint8Array(label.length + 64);
        input.set(label, 0);
        input.set(b.subarray(2, 34), label.length);
        input.set(keys.logPublicKey, label.length + 32);
        return L.sha256(input).slice(0, 24);
      }),
    );
    const [, publicKeyFromSecretMs] = time(() => bytes.map(() => nacl.box.keyPair.fromSecretKey(keys.logSecretKey)));
    const [, boxOpenMs] = time(() => bytes.map((b, i) => nacl.box.open(b.subarray(34), nonces[i]!, b.subarray(2, 34), keys.logSecretKey)));
    const [records, decodeLogRecordMs] = time(() => opened.map((r) => L.decodeLogRecord(r)!));
    const [, groupByPeerMs] = time(() => L.groupByPeer(records));
    const [, dateFormatMs] = time(() => records.map((r) => new Date(r.sentAt).toLocaleString([], { dateStyle: "short", timeStyle: "short" })));

    // Alternative: native X25519 through WebCrypto, then HSalsa20 + XSalsa20-Poly1305 as box.open does.
    let webCryptoOpenMs: number | null = null;
    let webCryptoError: string | undefined;
    try {
      const pkcs8 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20, ...keys.logSecretKey]);
      const sigma = new TextEncoder().encode("expand 32-byte k");
      // tweetnacl's HSalsa20 core (box.before = HSalsa20(X25519 shared secret)); not in its typings.
      const { lowlevel } = nacl as unknown as { lowlevel: { crypto_core_hsalsa20(out: Uint8Array, inp: Uint8Array, k: Uint8Array, c: Uint8Array): number } };
      const start = performance.now();
      const secret = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, false, ["deriveBits"]);
      const openOne = async (b: Uint8Array, nonce: Uint8Array) => {
        const eph = await crypto.subtle.importKey("raw", b.slice(2, 34), { name: "X25519" }, false, []);
        const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: "X25519", public: eph } as EcdhKeyDeriveParams, secret, 256));
        const k = new Uint8Array(32);
        lowlevel.crypto_core_hsalsa20(k, new Uint8Array(16), shared, sigma);
        const out = nacl.secretbox.open(b.subarray(34), nonce, k);
        if (!out) throw new Error("WebCrypto open failed");
        return out;
      };
      for (let i = 0; i < bytes.length; i += chunk) {
        await Promise.all(bytes.slice(i, i + chunk).map((b, j) => openOne(b, nonces[i + j]!)));
      }
      webCryptoOpenMs = performance.now() - start;
    } catch (error) {
      webCryptoError = error instanceof Error ? error.message : String(error);
    }

    return {
      records: sealed.length,
      chunks: groups.length,
      home: { toBase64Ms, encodeFrameMs, ratchetEncryptMs },
      phone: { ratchetDecryptMs, decodeFrameMs, fromBase64Ms, openSealedMs, sealNonceMs, publicKeyFromSecretMs, boxOpenMs, decodeLogRecordMs, groupByPeerMs, dateFormatMs },
      webCryptoOpenMs,
      ...(webCryptoError ? { webCryptoError } : {}),
    };
  }, chunk);
}
