import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { env } from "@/lib/env";
import { iceConfigFor } from "@/lib/ice/ice-servers";
import { clientConfig } from "@/lib/signaling/rest";
import { ChatApp } from "../_components/chat/chat-app";

export const dynamic = "force-dynamic";
export const metadata = { title: "Chat · CommunisP" };

export default async function ChatPage() {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/login");
  // Runtime configuration, read per request: no secrets, only where to connect.
  // TURN credentials are minted per device: the browser fetches them once its device is registered.
  const config = { signaling: clientConfig(), ice: iceConfigFor(null) };
  return <ChatApp nickname={session.user.nickname} config={config} vapidPublicKey={env().VAPID_PUBLIC_KEY} />;
}
