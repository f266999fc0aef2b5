// What bench/crypto/chromium.ts loads into a Chromium page: lib/crypto and
// the same measuring code Node runs (bench/crypto/ours.ts), bundled as one
// script, so the page times our ratchet on the browser's own WebCrypto.
import * as api from "../../lib/crypto/index";
import { FULL, QUICK } from "./measure";
import { runOursOn } from "./ours";

(globalThis as unknown as { __cryptoBench: unknown }).__cryptoBench = { api, runOursOn, FULL, QUICK };
