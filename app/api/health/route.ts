import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  try {
    await db().$queryRawUnsafe("SELECT 1");
  } catch {
    return json({ ok: false, db: "unreachable" }, 503);
  }
  return json({ ok: true, db: "ok" });
});
