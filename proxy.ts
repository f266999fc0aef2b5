import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { appOrigin, contentSecurityPolicy, HSTS, newNonce } from "@/lib/http/security-headers";
import { clientConfig } from "@/lib/signaling/client-config";

// Next 16's Proxy (formerly middleware): every page response gets a
// Content-Security-Policy with a fresh nonce, which Next reads from the
// request's copy of the header and puts on its own scripts
// (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md).
// HSTS is added once the public URL is https. See lib/http/security-headers.ts.

export function proxy(request: NextRequest) {
  const config = env();
  const nonce = newNonce();
  const origin = appOrigin(config, request.url);
  const csp = contentSecurityPolicy({ nonce, appOrigin: origin, signaling: clientConfig(config), dev: config.NODE_ENV === "development" });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  if (origin.protocol === "https:") response.headers.set("Strict-Transport-Security", HSTS);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages and API answers; not the build's static files.
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
