import { z } from "zod";

// zod compiles object parsers with `new Function` unless told not to, and
// probes for it first. Under the app's Content-Security-Policy (no
// 'unsafe-eval', docs/security.md) that probe is a CSP violation in every
// browser console; the interpreted parser is fast enough for our schemas.
z.config({ jitless: true });
