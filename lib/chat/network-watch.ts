// Tells when this device's network changed (Wi-Fi to mobile, a cable pulled
// and back): the browser fires "online" when connectivity returns and, where
// it has the Network Information API, "change" on navigator.connection.
// Either way, live links should restart ICE rather than wait for their
// consent checks to time out.

export function watchNetwork(onChange: () => void): () => void {
  if (typeof window === "undefined") return () => undefined;
  const information = (navigator as Navigator & { connection?: EventTarget }).connection;
  const handler = () => onChange();
  window.addEventListener("online", handler);
  information?.addEventListener("change", handler);
  return () => {
    window.removeEventListener("online", handler);
    information?.removeEventListener("change", handler);
  };
}
