import { Emitter } from "@/lib/shared/emitter";
import { loadPeerTrust, savePeerTrust } from "@/lib/store/trust-store";

// Contacts, strangers and blocked senders (docs/protocol.md "Strangers"). A
// contact is a nickname this account has messaged or whose message request
// it accepted; the account's own devices always are. Anyone else who reaches
// this device is a stranger: their first message shows as a message request,
// their connections are capped and, when a TURN server is configured, relayed
// so that they never learn this device's address. A blocked nickname is
// refused before any WebRTC work.

export class PeerTrust {
  readonly changed = new Emitter<string>();
  private contacts = new Set<string>();
  private blocked = new Set<string>();
  readonly loaded: Promise<void>;

  constructor(
    private readonly account: string,
    load: (account: string) => Promise<{ contacts: string[]; blocked: string[] }> = loadPeerTrust,
    private readonly save: typeof savePeerTrust = savePeerTrust,
  ) {
    this.loaded = load(account).then((record) => {
      this.contacts = new Set(record.contacts);
      this.blocked = new Set(record.blocked);
    });
  }

  isContact(nickname: string): boolean {
    return nickname === this.account || this.contacts.has(nickname);
  }

  isBlocked(nickname: string): boolean {
    return nickname !== this.account && this.blocked.has(nickname);
  }

  /** Messaged or accepted: a contact from now on (and no longer blocked). False when it already was. */
  async accept(nickname: string): Promise<boolean> {
    if (this.contacts.has(nickname) && !this.blocked.has(nickname)) return false;
    this.contacts.add(nickname);
    this.blocked.delete(nickname);
    await this.persist(nickname);
    return true;
  }

  async block(nickname: string): Promise<void> {
    if (nickname === this.account) throw new RangeError("an account cannot block itself");
    this.blocked.add(nickname);
    this.contacts.delete(nickname);
    await this.persist(nickname);
  }

  private async persist(nickname: string): Promise<void> {
    await this.save(this.account, { contacts: [...this.contacts], blocked: [...this.blocked] });
    this.changed.emit(nickname);
  }
}
