import { resolveDatabaseUrl } from "@/lib/db/adapter";
import { deploymentProblems } from "@/lib/deployment/problems";
import { parseEnv } from "@/lib/env";

// Configuration that parses but cannot work is found at start, with a
// sentence saying what to set: never an empty database or a 500 later.

const secrets = { NEXTAUTH_SECRET: "s".repeat(32), PUSHER_APP_ID: "1", PUSHER_KEY: "k", PUSHER_SECRET: "p", VAPID_PUBLIC_KEY: "v", VAPID_PRIVATE_KEY: "w" };
const hostedOk = { ...secrets, DATABASE_URL: "libsql://db.example.turso.io", PUSHER_CLUSTER: "eu", NEXTAUTH_URL: "https://chat.example.org" };
const problems = (source: Record<string, string>, mode: "embedded" | "hosted") => deploymentProblems(parseEnv(source), mode);

describe("a hosted start (next start, serverless)", () => {
  it("accepts a complete configuration", () => {
    expect(problems(hostedOk, "hosted")).toEqual([]);
    expect(problems({ ...hostedOk, PUSHER_CLUSTER: "", PUSHER_HOST: "soketi.internal" }, "hosted")).toEqual([]);
  });

  it("refuses to run without DATABASE_URL instead of making an empty database", () => {
    const { DATABASE_URL: _, ...rest } = hostedOk;
    expect(problems(rest, "hosted")).toEqual([expect.stringMatching(/^DATABASE_URL is missing\. Under `next start` there is no embedded database/)]);
    expect(() => resolveDatabaseUrl(parseEnv(rest), "hosted")).toThrow(/DATABASE_URL is not set/);
  });

  it("refuses a file: database on a platform whose instances have their own short-lived disks", () => {
    expect(problems({ ...hostedOk, DATABASE_URL: "file:./data/communisp.db", VERCEL: "1" }, "hosted")).toEqual([expect.stringMatching(/this runs on Vercel, where every instance has its own short-lived disk/)]);
    expect(problems({ ...hostedOk, DATABASE_URL: "file:./data/communisp.db", AWS_LAMBDA_FUNCTION_NAME: "fn" }, "hosted")).toEqual([expect.stringMatching(/AWS Lambda/)]);
    // One server with `next start` and a file is fine.
    expect(problems({ ...hostedOk, DATABASE_URL: "file:./data/communisp.db" }, "hosted")).toEqual([]);
  });

  it("refuses the built-in signaling server, which needs npm start", () => {
    expect(problems({ ...hostedOk, PUSHER_CLUSTER: "" }, "hosted")).toEqual([expect.stringMatching(/^No signaling service: the built-in one runs only under `npm start`\. Set PUSHER_CLUSTER/)]);
  });

  it("needs the public URL and refuses HTTPS=1", () => {
    const { NEXTAUTH_URL: _, ...rest } = hostedOk;
    expect(problems(rest, "hosted")).toEqual([expect.stringMatching(/^NEXTAUTH_URL is missing/)]);
    expect(problems({ ...hostedOk, HTTPS: "1" }, "hosted")).toEqual([expect.stringMatching(/^HTTPS=1 works only with `npm start`/)]);
  });

  it("lists every problem at once", () => {
    expect(problems(secrets, "hosted")).toHaveLength(3);
  });
});

describe("an embedded start (npm start)", () => {
  it("needs nothing: the database defaults to a file in DATA_DIR and signaling is built in", () => {
    expect(problems(secrets, "embedded")).toEqual([]);
    expect(resolveDatabaseUrl(parseEnv({ ...secrets, DATA_DIR: "/srv/communisp" }), "embedded")).toBe("file:/srv/communisp/communisp.db");
  });

  it("refuses HTTPS=1 with an http:// public URL", () => {
    expect(problems({ ...secrets, HTTPS: "true", NEXTAUTH_URL: "http://localhost:3000" }, "embedded")).toEqual([expect.stringMatching(/^HTTPS=1 serves https, but NEXTAUTH_URL is an http:\/\/ address/)]);
  });
});
