import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import type { ReactNode } from "react";
import { authOptions } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { iceConfigFor } from "@/lib/ice/ice-servers";
import { clientConfig } from "@/lib/signaling/rest";
import { SignedInProvider } from "../_components/signed-in/signed-in-provider";

export const dynamic = "force-dynamic";

/**
 * /chat and /settings: one layout, so one messenger and home relay for both.
 * A layout stays mounted while next/link moves between its pages, so going
 * to the settings and back keeps every connection open.
 */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/login");
  // Runtime configuration, read per request: no secrets, only where to connect.
  // TURN credentials are minted per device: the browser fetches them once its device is registered.
  const config = { signaling: clientConfig(), ice: iceConfigFor(null) };
  return (
    <SignedInProvider nickname={session.user.nickname} sessionDeviceId={session.user.deviceId} config={config} vapidPublicKey={env().VAPID_PUBLIC_KEY}>
      {children}
    </SignedInProvider>
  );
}
