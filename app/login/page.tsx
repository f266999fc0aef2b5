import { AuthForm } from "../_components/auth-form";

export const metadata = { title: "Log in · CommunisP" };

export default function LoginPage() {
  return <AuthForm mode="login" />;
}
