import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

// Debian's Chromium, driven by playwright-core. Each launch is its own
// process with a fresh profile: two launches are two separate browsers.

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is needed for the end-to-end tests and was not found at ${path}. Install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu) or point CHROMIUM_PATH at a Chromium or Chrome binary.`,
    );
  }
  return path;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Plain host ICE candidates on loopback instead of mDNS names.
  "--disable-features=WebRtcHideLocalIpsWithMdns",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}
