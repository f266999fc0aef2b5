import "server-only";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { ApiError } from "@/lib/http/api-error";

export interface Account {
  id: string;
  nickname: string;
}

/** `nickname` and `password` are already validated (lib/auth/nickname.ts). */
export async function registerAccount(nickname: string, password: string): Promise<Account> {
  const passwordHash = await hashPassword(password);
  try {
    const user = await db().user.create({ data: { nickname, passwordHash }, select: { id: true, nickname: true } });
    return user;
  } catch (error) {
    // The unique index decides races between two sign-ups of one nickname.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ApiError(409, "nickname_taken", `The nickname "${nickname}" is taken. Choose another.`);
    }
    throw error;
  }
}

/** Same answer, and about the same time, for an unknown nickname and a wrong password. */
export async function checkCredentials(nickname: string, password: string): Promise<Account | null> {
  const user = await db().user.findUnique({ where: { nickname }, select: { id: true, nickname: true, passwordHash: true } });
  if (!user) return burnPasswordCheck(password).then(() => null);
  return (await verifyPassword(password, user.passwordHash)) ? { id: user.id, nickname: user.nickname } : null;
}
