import { sessionCookie } from "../../../support/test-env";

// Accounts and devices straight in the database, with real session cookies:
// the push routes only care who the session says is calling.

type Db = ReturnType<typeof import("@/lib/db/client").db>;

export interface TestDevice {
  nickname: string;
  userId: string;
  deviceId: string;
  name: string;
  cookie: string;
}

export async function createUser(db: Db, nickname: string): Promise<{ nickname: string; userId: string }> {
  const user = await db.user.create({ data: { nickname, passwordHash: "$scrypt$unused" } });
  return { nickname, userId: user.id };
}

export async function addDevice(db: Db, user: { nickname: string; userId: string }, name: string, home = false): Promise<TestDevice> {
  const device = await db.device.create({ data: { userId: user.userId, name, signPublicKey: "s", dhPublicKey: "d", home } });
  return { ...user, deviceId: device.id, name, cookie: await sessionCookie({ userId: user.userId, nickname: user.nickname, deviceId: device.id }) };
}
