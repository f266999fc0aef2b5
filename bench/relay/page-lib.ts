// What the relay benchmark loads into its own (blank) pages, bundled by
// esbuild as one script: the same lib code the app ships (lib/crypto,
// lib/protocol, lib/relay/log-records) plus noble's SHA-256, so the
// receiving browser can derive the log keys (argon2id) and time each step of
// retrieval on its own. The app's pages are never touched.
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import * as crypto from "../../lib/crypto";
import { LABEL } from "../../lib/crypto/constants";
import { decodeFrame, encodeFrame } from "../../lib/protocol";
import { decodeLogRecord, groupByPeer } from "../../lib/relay/log-records";

export const lib = { ...crypto, sha256, nacl, decodeFrame, encodeFrame, decodeLogRecord, groupByPeer, sealNonceLabel: LABEL.sealNonce };
export type PageLib = typeof lib;

(globalThis as unknown as { __relayLib: PageLib }).__relayLib = lib;
