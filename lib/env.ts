import { z } from "zod";

// Server-side only, but loaded by server.ts outside Next as well, so it cannot
// carry `import "server-only"` (that guard throws outside Next's bundler);
// ESLint keeps browser modules from importing it instead.
//
// The one reader of process.env. Every key here is listed, with the same name
// and a comment, in .env.example; scripts/start.ts fills in generated secrets
// (data/secrets.env) before anything reads them.

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1");

const optionalString = z
  .string()
  .transform((v) => (v.trim() === "" ? undefined : v.trim()))
  .optional();

const optionalPort = optionalString
  .transform((v) => (v === undefined ? undefined : Number(v)))
  .pipe(z.number().int().min(1).max(65535).optional());

/** How many reverse proxies stand in front of the app; the old true/false mean 1/0. */
const proxyHops = z
  .string()
  .trim()
  .default("0")
  .transform((v) => (v === "true" ? "1" : v === "false" || v === "" ? "0" : v))
  .transform(Number)
  .pipe(z.number({ error: "must be a number of proxy hops (0, 1, 2…) or true/false" }).int().min(0).max(16));
/** The standard STUN port (RFC 8489 §18.6). */
export const DEFAULT_STUN_PORT = 3478;

// "off", or a UDP port. 0 is refused: browsers must be told the real port.
const stunPort = z
  .string()
  .trim()
  .transform((v) => (v === "off" ? ("off" as const) : v === "" ? DEFAULT_STUN_PORT : Number(v)))
  .pipe(z.union([z.literal("off"), z.number().int().min(1, "must be a UDP port (1-65535) or off").max(65535, "must be a UDP port (1-65535) or off")]));

// Comma- or space-separated turn:/turns: URIs (RFC 7065).
const turnUrls = optionalString.pipe(
  z
    .string()
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(/^turns?:[^\s]+$/, "must be turn: or turns: URIs, comma-separated")).min(1).max(8))
    .optional(),
);

const iceServer = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  NEXTAUTH_URL: optionalString.pipe(z.url().optional()),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (scripts/start.ts generates one)"),
  DATA_DIR: z.string().min(1).default("./data"),
  /** Unset: `npm start` uses file:$DATA_DIR/communisp.db; `next start` refuses to start. */
  DATABASE_URL: optionalString,
  DATABASE_AUTH_TOKEN: optionalString,
  PUSHER_APP_ID: z.string().min(1),
  PUSHER_KEY: z.string().min(1),
  PUSHER_SECRET: z.string().min(1),
  PUSHER_HOST: optionalString,
  PUSHER_PORT: optionalPort,
  PUSHER_USE_TLS: bool.optional(),
  PUSHER_CLUSTER: optionalString,
  PUSHER_WS_HOST: optionalString,
  PUSHER_WS_PORT: optionalPort,
  VAPID_PUBLIC_KEY: z.string().min(1),
  VAPID_PRIVATE_KEY: z.string().min(1),
  VAPID_SUBJECT: z.string().min(1).default("mailto:admin@localhost"),
  ICE_SERVERS: optionalString.pipe(
    z
      .string()
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "must be a JSON array of RTCIceServer objects" });
          return z.NEVER;
        }
      })
      .pipe(z.array(iceServer).max(8))
      .optional(),
  ),
  /** `npm start` serves https itself, with a local CA made in DATA_DIR (for a LAN). */
  HTTPS: bool.default(false),
  // Set by serverless platforms, whose instances have no lasting disk of their own.
  VERCEL: optionalString,
  NETLIFY: optionalString,
  AWS_LAMBDA_FUNCTION_NAME: optionalString,
  TRUST_PROXY: proxyHops,
  PUSH_ALLOWED_HOSTS: optionalString.refine(
    (v) => v === undefined || v.split(",").every((entry) => /^(default|(\*\.)?[a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(entry.trim())),
    "must be a comma-separated list of host[:port], *.domain[:port] or default",
  ),
  SIGNALING_MAX_CONNECTIONS_PER_IP: optionalString.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int().min(1).optional()),
  STUN_PORT: stunPort.default(DEFAULT_STUN_PORT),
  TURN_URLS: turnUrls,
  TURN_SECRET: optionalString.pipe(z.string().min(16, "must be at least 16 characters (the static-auth-secret of your TURN server)").optional()),
  TURN_TTL: z.coerce.number().int().min(300, "must be at least 300 seconds").max(86_400, "must be at most 86400 seconds (one day)").default(3600),
}).superRefine((e, ctx) => {
  // Half a TURN configuration is a mistake, not a choice: say so at start.
  if (e.TURN_URLS && !e.TURN_SECRET) ctx.addIssue({ code: "custom", path: ["TURN_SECRET"], message: "is needed with TURN_URLS (the static-auth-secret of your TURN server)" });
  if (e.TURN_SECRET && !e.TURN_URLS) ctx.addIssue({ code: "custom", path: ["TURN_URLS"], message: "is needed with TURN_SECRET (where browsers reach your TURN server)" });
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every setting.`);
    this.name = "EnvError";
  }
}

/** Parses a given environment; throws EnvError listing every problem at once. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const key = issue.path.join(".") || "(environment)";
        return issue.code === "invalid_type" && source[key] === undefined ? `${key} is missing` : `${key}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/**
 * The validated configuration. Lazy, so `next build` can import route modules
 * without secrets; the first request (or server start) validates everything.
 */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The signaling service: the built-in server unless PUSHER_HOST/PUSHER_CLUSTER point elsewhere. */
export function usesBuiltinSignaling(e: Env = env()): boolean {
  return e.PUSHER_HOST === undefined && e.PUSHER_CLUSTER === undefined;
}
