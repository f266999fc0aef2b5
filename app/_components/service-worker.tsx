"use client";

import { useEffect } from "react";
import { registerServiceWorker } from "@/lib/push/client";

/**
 * Registers public/sw.js on every page of a secure origin: the offline shell
 * and notification clicks need it even before pings are switched on.
 */
export function ServiceWorker() {
  useEffect(() => {
    if (!window.isSecureContext || !("serviceWorker" in navigator)) return;
    // A failed registration costs only the offline shell; pings report their own errors.
    registerServiceWorker().catch(() => undefined);
  }, []);
  return null;
}
