// What a page loses on a non-secure origin (plain http from another machine):
// browsers only expose these APIs to secure contexts (W3C Secure Contexts),
// and each one backs something a person would otherwise miss silently.

export type SecureOnlyFeature = "notifications" | "one-tab-guard" | "fast-log-opening";

export interface PageContext {
  isSecureContext: boolean;
  navigator?: { serviceWorker?: unknown; locks?: unknown };
  crypto?: { subtle?: unknown };
}

/** The features this page cannot offer; empty on a secure origin. */
export function featuresOffHere(page: PageContext): SecureOnlyFeature[] {
  if (page.isSecureContext) return [];
  const off: SecureOnlyFeature[] = [];
  if (!page.navigator?.serviceWorker) off.push("notifications");
  if (!page.navigator?.locks) off.push("one-tab-guard");
  if (!page.crypto?.subtle) off.push("fast-log-opening");
  return off;
}
