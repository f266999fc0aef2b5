import { ChatApp } from "../../_components/chat/chat-app";

export const dynamic = "force-dynamic";
export const metadata = { title: "Chat · CommunisP" };

// Signed in only: the layout (app/(signed-in)/layout.tsx) sends anyone else to /login.
export default function ChatPage() {
  return <ChatApp />;
}
