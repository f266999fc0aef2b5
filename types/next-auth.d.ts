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
    /** The server-side session (lib/auth/sessions.ts); only its hash is stored. */
    sid?: string;
    /** Copied from the session row for the page; routes read the row itself. */
    deviceId?: string;
  }
}
