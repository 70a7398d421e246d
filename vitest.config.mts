import { defineConfig } from "vitest/config";

// One runner for the whole repository. The test kind is in the file name:
// *.unit.test.ts (no I/O), *.integration.test.ts (local tenants over HTTPS), *.e2e.test.ts (browser).
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: [
      "**/node_modules/**",
      "**/.next/**",
      "**/.astral/**",
      // The container test needs root and a built image: `npm run test:image` runs it (and sets
      // ASTRAL_TEST_IMAGE), `.ci/run` runs that after `npm test`.
      ...(process.env.ASTRAL_TEST_IMAGE ? [] : ["tests/portal-image.e2e.test.ts"]),
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Removes each file's `testTempDir` folders after its own hooks ("stack": last registered,
    // first run; the setup file's afterAll is registered first, so it runs last).
    setupFiles: ["tests/support/remove-temp-dirs.ts"],
    sequence: { hooks: "stack" },
  },
});
