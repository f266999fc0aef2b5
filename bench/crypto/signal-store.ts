// A minimal in-memory SignalProtocolStore for
// @privacyresearch/libsignal-protocol-typescript: keys and sessions in Maps.
import type { Direction, KeyPairType, SessionRecordType, StorageType } from "@privacyresearch/libsignal-protocol-typescript";

export class InMemorySignalStore implements StorageType {
  private readonly identities = new Map<string, ArrayBuffer>();
  private readonly preKeys = new Map<string, KeyPairType>();
  private readonly signedPreKeys = new Map<string, KeyPairType>();
  private readonly sessions = new Map<string, SessionRecordType>();

  constructor(
    private readonly identityKeyPair: KeyPairType,
    private readonly registrationId: number,
  ) {}

  async getIdentityKeyPair(): Promise<KeyPairType> {
    return this.identityKeyPair;
  }
  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }
  async isTrustedIdentity(_identifier: string, _identityKey: ArrayBuffer, _direction: Direction): Promise<boolean> {
    return true;
  }
  async saveIdentity(encodedAddress: string, publicKey: ArrayBuffer): Promise<boolean> {
    const known = this.identities.has(encodedAddress);
    this.identities.set(encodedAddress, publicKey);
    return known;
  }
  async loadPreKey(keyId: string | number): Promise<KeyPairType | undefined> {
    return this.preKeys.get(String(keyId));
  }
  async storePreKey(keyId: number | string, keyPair: KeyPairType): Promise<void> {
    this.preKeys.set(String(keyId), keyPair);
  }
  async removePreKey(keyId: number | string): Promise<void> {
    this.preKeys.delete(String(keyId));
  }
  async storeSession(encodedAddress: string, record: SessionRecordType): Promise<void> {
    this.sessions.set(encodedAddress, record);
  }
  async loadSession(encodedAddress: string): Promise<SessionRecordType | undefined> {
    return this.sessions.get(encodedAddress);
  }
  async loadSignedPreKey(keyId: number | string): Promise<KeyPairType | undefined> {
    return this.signedPreKeys.get(String(keyId));
  }
  async storeSignedPreKey(keyId: number | string, keyPair: KeyPairType): Promise<void> {
    this.signedPreKeys.set(String(keyId), keyPair);
  }
  async removeSignedPreKey(keyId: number | string): Promise<void> {
    this.signedPreKeys.delete(String(keyId));
  }
}
