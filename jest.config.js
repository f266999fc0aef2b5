// One Jest run, four projects: pure units, React components in jsdom,
// integration against real servers and a real SQLite file, and end-to-end
// tests in real Chromium. `npm test` runs them all.

/** @type {import('@jest/types').Config.InitialProjectOptions} */
const shared = {
  transform: {
    "^.+\\.(t|j|mj)sx?$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", tsx: true },
          transform: { react: { runtime: "automatic" } },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  // @noble/* v2, Prisma's generated runtime and its wasm schema engine ship ESM only.
  transformIgnorePatterns: ["/node_modules/(?!(@noble|@prisma/client/runtime|@prisma/schema-engine-wasm)/)"],
  moduleNameMapper: {
    "^@/(.*)$": "<rootDir>/$1",
    // Next resolves this to an empty module on the server; outside Next the
    // guard has nothing to guard.
    "^server-only$": "<rootDir>/__tests__/support/empty-module.js",
  },
  modulePathIgnorePatterns: ["<rootDir>/.soketi/", "<rootDir>/bench/.work/", "<rootDir>/.next/"],
  moduleFileExtensions: ["ts", "tsx", "js", "mjs", "cjs", "json"],
  extensionsToTreatAsEsm: [],
};

/** @type {import('jest').Config} */
module.exports = {
  globalTeardown: "<rootDir>/__tests__/support/exit-guard.ts",
  projects: [
    {
      ...shared,
      displayName: "unit",
      testEnvironment: "node",
      testMatch: ["<rootDir>/__tests__/unit/**/*.test.ts", "<rootDir>/__tests__/vectors/**/*.test.ts"],
      setupFiles: ["<rootDir>/__tests__/support/unit-setup.ts"],
    },
    {
      ...shared,
      displayName: "dom",
      testEnvironment: "jsdom",
      testMatch: ["<rootDir>/__tests__/components/**/*.test.tsx"],
      setupFilesAfterEnv: ["<rootDir>/__tests__/support/dom-setup.ts"],
    },
    {
      ...shared,
      displayName: "integration",
      testEnvironment: "node",
      testMatch: ["<rootDir>/__tests__/integration/**/*.test.ts"],
    },
    {
      ...shared,
      displayName: "e2e",
      testEnvironment: "node",
      testMatch: ["<rootDir>/__tests__/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/__tests__/e2e/support/global-setup.ts",
    },
  ],
};
