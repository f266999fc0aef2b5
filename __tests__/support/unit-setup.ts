// Unit tests drive in-memory links and fake timers a bounded number of
// event-loop turns, which tweetnacl's promises (settled in microtasks) always
// fit in; native WebCrypto finishes on other threads. So the page's default
// primitives are tweetnacl here, and the native path has its own tests
// (__tests__/vectors/primitives-paths.test.ts, the native runs in
// __tests__/unit/crypto/properties.test.ts and channel/secure-channel.test.ts).
import { tweetnaclPrimitives } from "@/lib/crypto/primitives";
import { pinPagePrimitives } from "@/lib/this-device/page-primitives";

pinPagePrimitives(tweetnaclPrimitives);
