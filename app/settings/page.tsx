import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { SettingsApp } from "../_components/settings/settings-app";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · CommunisP" };

export default async function SettingsPage() {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/login");
  return <SettingsApp nickname={session.user.nickname} deviceId={session.user.deviceId} />;
}
