/** A name a person recognises in their device list, e.g. "Chrome on Android (phone)". */
export function defaultDeviceName(userAgent: string, viewportWidth: number): string {
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : "Browser";
  const os = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad|iPod/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "unknown system";
  const phone = /Mobi/.test(userAgent) || viewportWidth < 600;
  return `${browser} on ${os}${phone ? " (phone)" : ""}`;
}
