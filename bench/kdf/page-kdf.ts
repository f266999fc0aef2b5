// What the KDF benchmark loads into its blank page: the app's own passphrase
// derivation (lib/crypto/passphrase.ts, noble's argon2id), bundled by esbuild.
import { derivePassphraseKey, DEFAULT_PASSPHRASE_KDF } from "../../lib/crypto/passphrase";

(globalThis as unknown as { __kdf: unknown }).__kdf = { derivePassphraseKey, DEFAULT_PASSPHRASE_KDF };
