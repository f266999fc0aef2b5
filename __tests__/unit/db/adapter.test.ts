import path from "node:path";
import { parseDatabaseUrl } from "@/lib/db/adapter";

describe("parseDatabaseUrl", () => {
  it("treats file: URLs as the embedded SQLite file, resolved from the working directory", () => {
    expect(parseDatabaseUrl("file:./data/communisp.db")).toEqual({ kind: "file", url: "file:./data/communisp.db", filePath: path.resolve("data/communisp.db") });
    expect(parseDatabaseUrl("file:/var/lib/communisp.db")).toMatchObject({ kind: "file", filePath: "/var/lib/communisp.db" });
  });

  it("sends libSQL and Turso URLs to the libSQL adapter with their token", () => {
    expect(parseDatabaseUrl("libsql://my-db.turso.io", "tok")).toEqual({ kind: "libsql", url: "libsql://my-db.turso.io", authToken: "tok" });
    expect(parseDatabaseUrl("https://sqld.internal:8080")).toMatchObject({ kind: "libsql" });
  });

  it("refuses anything else with a message that says what is expected", () => {
    expect(() => parseDatabaseUrl("postgres://db/communisp")).toThrow(/must start with file: .* or libsql:\/https:/);
    expect(() => parseDatabaseUrl("file:")).toThrow(/must name a file/);
    expect(() => parseDatabaseUrl("data.db")).toThrow(RangeError);
  });
});
