// The same work done by @privacyresearch/libsignal-protocol-typescript (pure
// TypeScript Signal: X3DH + Double Ratchet over WebCrypto AES-CBC/HMAC).
import {
  KeyHelper,
  SessionBuilder,
  SessionCipher,
  SignalProtocolAddress,
  type KeyPairType,
  type MessageType,
} from "@privacyresearch/libsignal-protocol-typescript";
import { meanMs, throughput, type Budget, type ImplReport } from "./measure";
import { InMemorySignalStore } from "./signal-store";

interface Party {
  store: InMemorySignalStore;
  address: SignalProtocolAddress;
  identity: KeyPairType;
  registrationId: number;
}

async function party(name: string): Promise<Party> {
  const identity = await KeyHelper.generateIdentityKeyPair();
  const registrationId = KeyHelper.generateRegistrationId();
  return { store: new InMemorySignalStore(identity, registrationId), address: new SignalProtocolAddress(name, 1), identity, registrationId };
}

const toArrayBuffer = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;

async function decrypt(cipher: SessionCipher, msg: MessageType): Promise<ArrayBuffer> {
  if (msg.type === 3) return cipher.decryptPreKeyWhisperMessage(msg.body as string, "binary");
  return cipher.decryptWhisperMessage(msg.body as string, "binary");
}

let nextKeyId = 1;

/** Bob publishes a prekey bundle, Alice builds a session from it, sends one message, Bob reads it. */
async function setup(alice: Party, bob: Party): Promise<[SessionCipher, SessionCipher]> {
  const keyId = nextKeyId++;
  const preKey = await KeyHelper.generatePreKey(keyId);
  const signedPreKey = await KeyHelper.generateSignedPreKey(bob.identity, keyId);
  await bob.store.storePreKey(keyId, preKey.keyPair);
  await bob.store.storeSignedPreKey(keyId, signedPreKey.keyPair);
  await new SessionBuilder(alice.store, bob.address).processPreKey({
    identityKey: bob.identity.pubKey,
    registrationId: bob.registrationId,
    preKey: { keyId, publicKey: preKey.keyPair.pubKey },
    signedPreKey: { keyId, publicKey: signedPreKey.keyPair.pubKey, signature: signedPreKey.signature },
  });
  const aliceCipher = new SessionCipher(alice.store, bob.address);
  const bobCipher = new SessionCipher(bob.store, alice.address);
  await decrypt(bobCipher, await aliceCipher.encrypt(toArrayBuffer(new Uint8Array(1))));
  return [aliceCipher, bobCipher];
}

export async function runPrivacyResearch(budget: Budget): Promise<ImplReport> {
  const alice = await party("alice");
  const bob = await party("bob");
  const handshakeMs = await meanMs(() => setup(alice, bob), budget);
  const ciphers = await setup(alice, bob);
  const t = await throughput(async (from, bytes) => {
    const msg = await (ciphers[from] as SessionCipher).encrypt(toArrayBuffer(bytes));
    const plain = await decrypt(ciphers[from === 0 ? 1 : 0] as SessionCipher, msg);
    if (plain.byteLength !== bytes.length) throw new Error("bench: libsignal-protocol-typescript round trip mismatch");
  }, budget);
  return { handshakeMs, oneWayMsgsPerSec: t.oneWay, pingPongMsgsPerSec: t.pingPong, dhStepMs: t.dhStepMs };
}
