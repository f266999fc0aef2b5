// Tells when this device's network came back after a change (Wi-Fi to
// mobile, a cable pulled and back): the browser fires "online" when
// connectivity returns. Live links should then restart ICE rather than wait
// for their consent checks to time out. (navigator.connection's "change" is
// not used: Chromium fires it whenever its bandwidth and RTT estimates move,
// which would restart ICE for nothing.)

export function watchNetwork(onChange: () => void): () => void {
  if (typeof window === "undefined") return () => undefined;
  const handler = () => onChange();
  window.addEventListener("online", handler);
  return () => window.removeEventListener("online", handler);
}
