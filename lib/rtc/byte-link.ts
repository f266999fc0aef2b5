/** Something to listen to: the subscribing half of lib/shared/emitter. */
export interface Listenable<T> {
  on(listener: (value: T) => void): () => void;
}

/** What a secure channel needs from a transport: ordered, reliable bytes and the DTLS fingerprints. */
export interface ByteLink {
  readonly opened: Listenable<void>;
  readonly message: Listenable<Uint8Array>;
  readonly closed: Listenable<{ message: string } | null>;
  readonly isOpen: boolean;
  send(bytes: Uint8Array): void;
  fingerprints(): { local: string; remote: string } | null;
  close(opts?: { notify?: boolean }): void;
}
