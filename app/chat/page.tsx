import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { ChatShell } from "../_components/chat-shell";

export const dynamic = "force-dynamic";
export const metadata = { title: "Chat · CommunisP" };

export default async function ChatPage() {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/login");
  return <ChatShell nickname={session.user.nickname} />;
}
