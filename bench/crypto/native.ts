// The same work done by @signalapp/libsignal-client (Signal's Rust library
// through a native Node addon: PQXDH session setup, then the Double Ratchet as
// Signal ships it). Loaded dynamically: when it does not install or load, the
// bench says so instead of failing.
import type * as Libsignal from "@signalapp/libsignal-client";
import { meanMs, throughput, type Budget, type ImplReport } from "./measure";

export type NativeResult = ({ available: true; version: string } & ImplReport) | { available: false; reason: string };

type L = typeof Libsignal;

function stores(lib: L, identity: Libsignal.PrivateKey, registrationId: number) {
  const sessions = new Map<string, Libsignal.SessionRecord>();
  const identities = new Map<string, Libsignal.PublicKey>();
  const preKeys = new Map<number, Libsignal.PreKeyRecord>();
  const signed = new Map<number, Libsignal.SignedPreKeyRecord>();
  const kyber = new Map<number, Libsignal.KyberPreKeyRecord>();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`bench: missing ${what}`);
    return v;
  };
  class Sessions extends lib.SessionStore {
    async saveSession(name: Libsignal.ProtocolAddress, record: Libsignal.SessionRecord) {
      sessions.set(name.toString(), record);
    }
    async getSession(name: Libsignal.ProtocolAddress) {
      return sessions.get(name.toString()) ?? null;
    }
    async getExistingSessions(addresses: Libsignal.ProtocolAddress[]) {
      return addresses.map((a) => need(sessions.get(a.toString()), "session"));
    }
  }
  class Identities extends lib.IdentityKeyStore {
    async getIdentityKey() {
      return identity;
    }
    async getLocalRegistrationId() {
      return registrationId;
    }
    async saveIdentity(name: Libsignal.ProtocolAddress, key: Libsignal.PublicKey) {
      identities.set(name.toString(), key);
      return lib.IdentityChange.NewOrUnchanged;
    }
    async isTrustedIdentity() {
      return true;
    }
    async getIdentity(name: Libsignal.ProtocolAddress) {
      return identities.get(name.toString()) ?? null;
    }
  }
  class PreKeys extends lib.PreKeyStore {
    async savePreKey(id: number, r: Libsignal.PreKeyRecord) {
      preKeys.set(id, r);
    }
    async getPreKey(id: number) {
      return need(preKeys.get(id), "prekey");
    }
    async removePreKey(id: number) {
      preKeys.delete(id);
    }
  }
  class SignedPreKeys extends lib.SignedPreKeyStore {
    async saveSignedPreKey(id: number, r: Libsignal.SignedPreKeyRecord) {
      signed.set(id, r);
    }
    async getSignedPreKey(id: number) {
      return need(signed.get(id), "signed prekey");
    }
  }
  class KyberPreKeys extends lib.KyberPreKeyStore {
    async saveKyberPreKey(id: number, r: Libsignal.KyberPreKeyRecord) {
      kyber.set(id, r);
    }
    async getKyberPreKey(id: number) {
      return need(kyber.get(id), "kyber prekey");
    }
    async markKyberPreKeyUsed() {}
  }
  return { sessions: new Sessions(), identities: new Identities(), preKeys: new PreKeys(), signed: new SignedPreKeys(), kyber: new KyberPreKeys() };
}

export async function runNative(budget: Budget): Promise<NativeResult> {
  let lib: L;
  let version = "?";
  try {
    lib = await import("@signalapp/libsignal-client");
    lib.PrivateKey.generate();
    const pkg = await import("@signalapp/libsignal-client/package.json", { with: { type: "json" } }).catch(() => null);
    version = (pkg as { default?: { version?: string } } | null)?.default?.version ?? "?";
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message.split("\n")[0] ?? "load failed" : String(e) };
  }
  const mk = (name: string) => {
    const identity = lib.PrivateKey.generate();
    const registrationId = 1 + Math.floor(Math.random() * 16000);
    return { identity, registrationId, address: lib.ProtocolAddress.new(name, 1), ...stores(lib, identity, registrationId) };
  };
  const alice = mk("alice");
  const bob = mk("bob");
  let nextId = 1;
  const setup = async () => {
    const id = nextId++;
    const pre = lib.PrivateKey.generate();
    const spk = lib.PrivateKey.generate();
    const kem = lib.KEMKeyPair.generate();
    const spkSig = bob.identity.sign(spk.getPublicKey().serialize());
    const kemSig = bob.identity.sign(kem.getPublicKey().serialize());
    await bob.preKeys.savePreKey(id, lib.PreKeyRecord.new(id, pre.getPublicKey(), pre));
    await bob.signed.saveSignedPreKey(id, lib.SignedPreKeyRecord.new(id, 0, spk.getPublicKey(), spk, spkSig));
    await bob.kyber.saveKyberPreKey(id, lib.KyberPreKeyRecord.new(id, 0, kem, kemSig));
    const bundle = lib.PreKeyBundle.new(bob.registrationId, 1, id, pre.getPublicKey(), id, spk.getPublicKey(), spkSig, bob.identity.getPublicKey(), id, kem.getPublicKey(), kemSig);
    await lib.processPreKeyBundle(bundle, bob.address, alice.address, alice.sessions, alice.identities);
    await send(0, new Uint8Array(1));
  };
  const parties = [alice, bob] as const;
  const send = async (from: 0 | 1, bytes: Uint8Array) => {
    const me = parties[from];
    const peer = parties[from === 0 ? 1 : 0];
    const ct = await lib.signalEncrypt(bytes.slice(), peer.address, me.address, me.sessions, me.identities);
    const body = ct.serialize();
    const plain =
      ct.type() === lib.CiphertextMessageType.PreKey
        ? await lib.signalDecryptPreKey(lib.PreKeySignalMessage.deserialize(body), me.address, peer.address, peer.sessions, peer.identities, peer.preKeys, peer.signed, peer.kyber)
        : await lib.signalDecrypt(lib.SignalMessage.deserialize(body), me.address, peer.address, peer.sessions, peer.identities);
    if (plain.length !== bytes.length) throw new Error("bench: libsignal-client round trip mismatch");
  };
  const handshakeMs = await meanMs(setup, budget);
  await setup();
  const t = await throughput(send, budget);
  return { available: true, version, handshakeMs, oneWayMsgsPerSec: t.oneWay, pingPongMsgsPerSec: t.pingPong, dhStepMs: t.dhStepMs };
}
