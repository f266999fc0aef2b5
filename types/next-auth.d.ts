import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { nickname: string; deviceId: string | null };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    nickname?: string;
    deviceId?: string;
  }
}
