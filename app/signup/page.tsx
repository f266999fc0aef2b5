import { AuthForm } from "../_components/auth-form";

export const metadata = { title: "Sign up · CommunisP" };

export default function SignupPage() {
  return <AuthForm mode="signup" />;
}
