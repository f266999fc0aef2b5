import Link from "next/link";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

export default async function Home() {
  if (await getServerSession(authOptions())) redirect("/chat");
  return (
    <main className="auth">
      <div className="panel stack">
        <h1>CommunisP</h1>
        <p>
          Messages that only you and the other person can read, sent straight from browser to browser. Leave one tab open at home and it becomes your own
          mailbox: it receives messages for your nickname while your phone is away.
        </p>
        <div className="row">
          <Link href="/signup">Sign up</Link>
          <span className="muted">or</span>
          <Link href="/login">Log in</Link>
        </div>
      </div>
    </main>
  );
}
