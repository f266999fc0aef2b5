// What the relay benchmark loads into its own (blank) pages, bundled by
// esbuild as one script: the same lib code the app ships (lib/crypto,
// lib/protocol, lib/relay/log-records, lib/relay/retrieved-log) plus noble's
// hashes, so the receiving browser can derive the log keys (argon2id), open
// records as the baseline does, and time each step of retrieval on its own.
// The app's pages are never touched.
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import * as crypto from "../../lib/crypto";
import { LABEL } from "../../lib/crypto/constants";
import { decodeFrame, encodeFrame } from "../../lib/protocol";
import { decodeLogRecord, groupByPeer } from "../../lib/relay/log-records";
import { RetrievedLog } from "../../lib/relay/retrieved-log";

export const lib = {
  ...crypto,
  sha256,
  hkdf,
  hmac,
  nacl,
  decodeFrame,
  encodeFrame,
  decodeLogRecord,
  groupByPeer,
  RetrievedLog,
  sealNonceLabel: LABEL.sealNonce,
  logEpochLabel: LABEL.logEpoch,
};
export type PageLib = typeof lib;

(globalThis as unknown as { __relayLib: PageLib }).__relayLib = lib;
