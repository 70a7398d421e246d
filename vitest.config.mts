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
  },
});
