import { EnvError, parseEnv, usesBuiltinSignaling } from "@/lib/env";

const complete = {
  NEXTAUTH_SECRET: "s".repeat(32),
  PUSHER_APP_ID: "1",
  PUSHER_KEY: "k",
  PUSHER_SECRET: "p",
  VAPID_PUBLIC_KEY: "v",
  VAPID_PRIVATE_KEY: "w",
};

describe("lib/env", () => {
  it("fills the embedded defaults", () => {
    const env = parseEnv(complete);
    expect(env).toMatchObject({ PORT: 3000, HOST: "0.0.0.0", DATA_DIR: "./data", TRUST_PROXY: 0, HTTPS: false });
    // No database default here: `npm start` chooses the embedded file, `next start` refuses (lib/deployment).
    expect(env.DATABASE_URL).toBeUndefined();
    expect(usesBuiltinSignaling(env)).toBe(true);
  });

  it("lists every missing or invalid setting at once", () => {
    try {
      parseEnv({ PORT: "eighty", NEXTAUTH_SECRET: "short" });
      throw new Error("expected parseEnv to throw");
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      const problems = (error as EnvError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          "PUSHER_APP_ID is missing",
          "PUSHER_KEY is missing",
          "PUSHER_SECRET is missing",
          "VAPID_PUBLIC_KEY is missing",
          "VAPID_PRIVATE_KEY is missing",
          expect.stringMatching(/^PORT: /),
          expect.stringMatching(/^NEXTAUTH_SECRET: must be at least 32 characters/),
        ]),
      );
      expect((error as Error).message).toMatch(/See \.env\.example/);
    }
  });

  it("switches to an external signaling service when PUSHER_HOST or PUSHER_CLUSTER is set", () => {
    expect(usesBuiltinSignaling(parseEnv({ ...complete, PUSHER_CLUSTER: "eu" }))).toBe(false);
    expect(usesBuiltinSignaling(parseEnv({ ...complete, PUSHER_HOST: "soketi.internal", PUSHER_PORT: "6001", PUSHER_USE_TLS: "false" }))).toBe(false);
    expect(usesBuiltinSignaling(parseEnv({ ...complete, PUSHER_HOST: "  " }))).toBe(true);
  });

  it("parses ICE servers from JSON and rejects anything else", () => {
    const env = parseEnv({ ...complete, ICE_SERVERS: '[{"urls":"turn:turn.example:3478","username":"u","credential":"c"}]' });
    expect(env.ICE_SERVERS).toEqual([{ urls: "turn:turn.example:3478", username: "u", credential: "c" }]);
    expect(() => parseEnv({ ...complete, ICE_SERVERS: "turn:turn.example" })).toThrow(/ICE_SERVERS: must be a JSON array/);
    expect(() => parseEnv({ ...complete, ICE_SERVERS: '[{"url":"x"}]' })).toThrow(EnvError);
  });

  it("reads TRUST_PROXY as a number of proxy hops, and the old true/false as 1/0", () => {
    const hops = (v: string | undefined) => parseEnv({ ...complete, TRUST_PROXY: v }).TRUST_PROXY;
    expect([hops(undefined), hops(""), hops("false"), hops("true"), hops("0"), hops("1"), hops("2")]).toEqual([0, 0, 0, 1, 0, 1, 2]);
    for (const bad of ["yes", "-1", "1.5", "17"]) expect(() => parseEnv({ ...complete, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });

  it("checks PUSH_ALLOWED_HOSTS and SIGNALING_MAX_CONNECTIONS_PER_IP at start", () => {
    expect(parseEnv({ ...complete, PUSH_ALLOWED_HOSTS: "default, push.example.org:8443, *.push.example.net, [::1]:9443" }).PUSH_ALLOWED_HOSTS).toBe("default, push.example.org:8443, *.push.example.net, [::1]:9443");
    expect(() => parseEnv({ ...complete, PUSH_ALLOWED_HOSTS: "https://push.example.org/" })).toThrow(/PUSH_ALLOWED_HOSTS/);
    expect(parseEnv({ ...complete, SIGNALING_MAX_CONNECTIONS_PER_IP: "20" }).SIGNALING_MAX_CONNECTIONS_PER_IP).toBe(20);
    expect(parseEnv(complete).SIGNALING_MAX_CONNECTIONS_PER_IP).toBeUndefined();
    expect(() => parseEnv({ ...complete, SIGNALING_MAX_CONNECTIONS_PER_IP: "0" })).toThrow(/SIGNALING_MAX_CONNECTIONS_PER_IP/);
  });

  it("reads the STUN port and TURN settings, and refuses half a TURN configuration", () => {
    expect(parseEnv(complete)).toMatchObject({ STUN_PORT: 3478, TURN_TTL: 3600 });
    expect(parseEnv({ ...complete, STUN_PORT: "off" }).STUN_PORT).toBe("off");
    expect(parseEnv({ ...complete, STUN_PORT: "3479" }).STUN_PORT).toBe(3479);
    expect(() => parseEnv({ ...complete, STUN_PORT: "0" })).toThrow(/STUN_PORT: must be a UDP port \(1-65535\) or off/);
    expect(() => parseEnv({ ...complete, STUN_PORT: "on" })).toThrow(/STUN_PORT/);
    const turn = parseEnv({ ...complete, TURN_URLS: "turn:t.example:3478?transport=udp, turns:t.example:5349", TURN_SECRET: "s".repeat(16) });
    expect(turn.TURN_URLS).toEqual(["turn:t.example:3478?transport=udp", "turns:t.example:5349"]);
    expect(() => parseEnv({ ...complete, TURN_URLS: "turn:t.example" })).toThrow(/TURN_SECRET: is needed with TURN_URLS/);
    expect(() => parseEnv({ ...complete, TURN_SECRET: "s".repeat(16) })).toThrow(/TURN_URLS: is needed with TURN_SECRET/);
    expect(() => parseEnv({ ...complete, TURN_URLS: "stun:t.example", TURN_SECRET: "s".repeat(16) })).toThrow(/TURN_URLS/);
    expect(() => parseEnv({ ...complete, TURN_TTL: "60" })).toThrow(/TURN_TTL: must be at least 300/);
  });

  it("has .env.example list exactly the keys it reads", () => {
    const fs = require("node:fs") as typeof import("node:fs");
    const example = fs.readFileSync(".env.example", "utf8");
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    const source = fs.readFileSync("lib/env.ts", "utf8");
    const read = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]).sort();
    expect(new Set(documented)).toEqual(new Set(read));
  });
});
