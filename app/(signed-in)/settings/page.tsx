import { SettingsApp } from "../../_components/settings/settings-app";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · CommunisP" };

// Signed in only: the layout (app/(signed-in)/layout.tsx) sends anyone else to /login.
export default function SettingsPage() {
  return <SettingsApp />;
}
