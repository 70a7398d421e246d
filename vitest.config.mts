import { defineConfig } from "vitest/config";

// One runner for the whole repository. The test kind is in the file name:
// *.unit.test.ts (no I/O), *.integration.test.ts (local tenants over HTTPS), *.e2e.test.ts (browser).
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/.next/**", "**/.astral/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
