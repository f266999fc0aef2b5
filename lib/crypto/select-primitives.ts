// Which primitives to run on: WebCrypto's native X25519 and Ed25519 when the
// given SubtleCrypto has them and they give the RFCs' answers, tweetnacl
// otherwise. A platform that lacks an algorithm (or gets one wrong) is found
// here once, not in the middle of a handshake.
import { equalBytes, fromHex } from "./bytes";
import { tweetnaclPrimitives, type Primitives } from "./primitives";
import { webCryptoPrimitives } from "./webcrypto-primitives";

// RFC 7748 §6.1 (X25519) and RFC 8032 §7.1 TEST 1 (Ed25519, empty message).
const KAT = {
  alicePrivate: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
  alicePublic: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  bobPublic: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  shared: "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
  edSeed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  edPublic: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  edSignature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
};

/** True when `p` gives the RFCs' answers, including the refusal of a low-order point. */
export async function passesKnownAnswers(p: Primitives): Promise<boolean> {
  const alice = await p.x25519KeyPair(fromHex(KAT.alicePrivate));
  if (!equalBytes(alice.publicKey, fromHex(KAT.alicePublic))) return false;
  const shared = await p.x25519(alice, fromHex(KAT.bobPublic));
  if (!shared || !equalBytes(shared, fromHex(KAT.shared))) return false;
  if ((await p.x25519(alice, new Uint8Array(32))) !== null) return false;
  const edSecret = new Uint8Array(64);
  edSecret.set(fromHex(KAT.edSeed));
  edSecret.set(fromHex(KAT.edPublic), 32);
  const signature = await p.ed25519Sign(edSecret, new Uint8Array(0));
  if (!equalBytes(signature, fromHex(KAT.edSignature))) return false;
  return p.ed25519Verify(fromHex(KAT.edPublic), new Uint8Array(0), signature);
}

/**
 * WebCrypto primitives over `subtle` if it has X25519 and Ed25519 and they
 * pass the known answers; tweetnacl otherwise (or when `subtle` is absent,
 * e.g. on a page that is not a secure context).
 */
export async function selectPrimitives(subtle: SubtleCrypto | undefined): Promise<Primitives> {
  if (!subtle) return tweetnaclPrimitives;
  try {
    const native = webCryptoPrimitives(subtle);
    return (await passesKnownAnswers(native)) ? native : tweetnaclPrimitives;
  } catch {
    return tweetnaclPrimitives; // NotSupportedError: no X25519 or Ed25519 in this WebCrypto
  }
}
