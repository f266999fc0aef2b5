"use client";

import { toHex } from "@/lib/crypto";
import type { LocalDevice } from "@/lib/this-device/ensure-device";

/** A public key as people compare it: hex in groups of four. Public keys only: the secret halves never reach the page's text. */
function fingerprint(key: Uint8Array): string {
  return (toHex(key).match(/.{1,4}/g) ?? []).join(" ");
}

/** This browser's device: its name, id and public keys (the ones its safety numbers are made from). */
export function ThisDevice({ device }: { device: LocalDevice }) {
  return (
    <section className="panel stack" aria-labelledby="this-device-heading">
      <h2 id="this-device-heading">This device</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{device.name}</dd>
        <dt>Device id</dt>
        <dd className="mono">{device.deviceId}</dd>
        <dt>Signing key (Ed25519)</dt>
        <dd className="mono" aria-label="Signing key fingerprint">
          {fingerprint(device.identity.signPublicKey)}
        </dd>
        <dt>Key agreement key (X25519)</dt>
        <dd className="mono">{fingerprint(device.identity.dhPublicKey)}</dd>
      </dl>
      <p className="muted">The secret halves of these keys never leave this browser. Your contacts see the signing key in your safety number.</p>
    </section>
  );
}
