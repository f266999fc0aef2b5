import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "./_components/providers";
import { ServiceWorker } from "./_components/service-worker";
import "./globals.css";

export const metadata: Metadata = {
  title: "CommunisP",
  description: "End-to-end-encrypted messages, and your own browser tab as your server.",
  manifest: "/manifest.webmanifest",
  icons: { icon: "/icon.svg", apple: "/icons/apple-touch-icon-180.png" },
  appleWebApp: { capable: true, title: "CommunisP", statusBarStyle: "default" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  // The composer stays above the on-screen keyboard (Chromium resizes the layout viewport for it).
  interactiveWidget: "resizes-content",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#b3261e" },
    { media: "(prefers-color-scheme: dark)", color: "#111418" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ServiceWorker />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
