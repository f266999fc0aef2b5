"use client";

import QRCode from "qrcode";
import { useEffect, useState } from "react";
import type { SafetyNumber } from "@/lib/crypto";

/** Digits and a QR code to compare with the other person, out of band. */
export function SafetyNumberView({ peer, numbers, onClose }: { peer: string; numbers: { deviceId: string; number: SafetyNumber }[]; onClose: () => void }) {
  return (
    <section className="panel stack" role="dialog" aria-modal="false" aria-labelledby="safety-title">
      <h2 id="safety-title">Safety number with {peer}</h2>
      {numbers.length === 0 && <p>Connect first: the number is computed from the keys proven in the connection.</p>}
      {numbers.map(({ deviceId, number }) => (
        <SafetyNumberCard key={deviceId} number={number} />
      ))}
      <p className="muted">Compare these digits with {peer} in person or on a call. If they match, nobody is in the middle.</p>
      <button type="button" className="secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

function SafetyNumberCard({ number }: { number: SafetyNumber }) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(number.qrText, { margin: 1, width: 220, errorCorrectionLevel: "M" }).then((url) => live && setQr(url));
    return () => {
      live = false;
    };
  }, [number.qrText]);
  return (
    <div className="row safety">
      <p className="digits" aria-label="Safety number digits">
        {number.groups.join(" ")}
      </p>
      {qr && <img src={qr} width={220} height={220} alt="Safety number as a QR code" />}
    </div>
  );
}
