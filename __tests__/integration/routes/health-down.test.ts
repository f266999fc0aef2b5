import { request, useTestDatabase } from "../../support/test-env";

const database = useTestDatabase();
// A database path that cannot exist: its "directory" is a character device.
process.env.DATABASE_URL = "file:/dev/null/communisp.db";
const healthRoute = require("@/app/api/health/route") as typeof import("@/app/api/health/route");

afterAll(() => database.cleanup());

it("answers 503 naming the database when it cannot be opened", async () => {
  const res = await healthRoute.GET(request("GET", "/api/health"), {});
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ ok: false, db: "unreachable" });
});
