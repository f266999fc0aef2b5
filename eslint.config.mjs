// Lint keeps the layering in docs/architecture.md true: imports point down or
// sideways, never up, and the pure layers stay pure.
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const noUp = (patterns) => ({
  "no-restricted-imports": ["error", { patterns: patterns.map((group) => ({ group: [group.from], message: group.why })) }],
});

const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

// Which side runs where shows in the folder names: lib/this-device is this
// browser's device, lib/account-devices the server's view of the account's
// devices; lib/api-client is the browser's HTTP client, lib/http the server's
// route kit.
const BROWSER_ONLY = ["lib/this-device/**", "lib/api-client/**", "lib/chat/**", "lib/store/**", "lib/relay/**", "lib/rtc/**", "lib/channel/**"];
const SERVER_ONLY = ["lib/account-devices/**", "lib/accounts/**", "lib/auth/**", "lib/db/**", "lib/http/**"];
const BROWSER_MODULES = ["@/lib/this-device/*", "@/lib/api-client/*", "@/lib/chat/*", "@/lib/store/*", "@/lib/relay/*", "@/lib/rtc/*", "@/lib/channel/*"];
const SERVER_MODULES = [
  "server-only",
  "@/lib/env",
  "@/lib/db/*",
  "@/lib/http/*",
  "@/lib/auth/*",
  "!@/lib/auth/nickname",
  "@/lib/accounts/*",
  "!@/lib/accounts/schemas",
  "@/lib/account-devices/*",
  "!@/lib/account-devices/schemas",
  "!@/lib/account-devices/binding",
];

const pureLayer = [
  { from: "@/*", why: "lib/crypto and lib/protocol are pure: they import nothing of ours." },
  { from: "../*", why: "lib/crypto and lib/protocol are pure: they import nothing outside their folder." },
  { from: "node:*", why: "pure modules run in the browser too: no Node APIs." },
  { from: "next*", why: "pure modules know nothing of Next." },
  { from: "react*", why: "pure modules know nothing of React." },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "lib/db/generated/**",
      "bench/.work/**",
      ".soketi/**",
      "next-env.d.ts",
      "coverage/**",
      "public/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["app/**/*.tsx", "app/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    // Route tests import handlers with require() after pointing the
    // configuration at a temporary database.
    files: ["__tests__/**"],
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["lib/crypto/**", "lib/protocol/**"],
    rules: {
      ...noUp([...pureLayer, { from: "@/lib/crypto/*", why: "stay relative inside the layer" }]),
      "no-restricted-globals": ["error", "window", "document", "process", "Buffer", "fetch", "crypto", "localStorage", "indexedDB", "Date"],
    },
  },
  {
    // STUN parsing is pure like the frame codec; only the UDP socket around it is Node.
    files: ["lib/stun/**"],
    ignores: ["lib/stun/responder.ts"],
    rules: {
      ...noUp([{ from: "@/*", why: "lib/stun's codec is pure: it imports nothing of ours." }, ...pureLayer.slice(2)]),
      "no-restricted-globals": ["error", "window", "document", "process", "Buffer", "fetch", "crypto", "Date"],
    },
  },
  {
    files: ["lib/**"],
    ignores: ["lib/crypto/**", "lib/protocol/**", ...BROWSER_ONLY, ...SERVER_ONLY],
    rules: noUp([{ from: "@/app/*", why: "nothing in lib/ imports app/." }]),
  },
  {
    // This browser's side (lib/this-device, lib/api-client, chat, storage, relay)
    // never reaches into the server's modules: only their shared schemas.
    files: BROWSER_ONLY,
    rules: restrict([
      { group: ["@/app/*"], message: "nothing in lib/ imports app/." },
      { group: SERVER_MODULES, message: "browser modules do not import server modules (schemas shared by both are allowed)." },
    ]),
  },
  {
    // The server's side (routes' operations, accounts, sessions, database) never imports the browser's.
    files: SERVER_ONLY,
    rules: restrict([
      { group: ["@/app/*"], message: "nothing in lib/ imports app/." },
      { group: BROWSER_MODULES, message: "server modules do not import browser modules." },
    ]),
  },
  {
    files: ["app/**", "lib/**", "server.ts", "proxy.ts"],
    ignores: ["lib/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts, the one reader of process.env." },
      ],
    },
  },
);
