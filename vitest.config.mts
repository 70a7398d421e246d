import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./tests/support/test-order.mts";

/**
 * Test files at once: one more than the cores. Much of a file's time is spent waiting (on the
 * local tenants, a search lag, a rate limit's refill, a child process), so a third file on a
 * 2-core machine fills what two leave idle: a fresh clone's suite beside `npm run dev` took
 * 199 s of vitest with three against 266 s with two (2026-12-04), and passed with a core taken
 * by another job too (248 s). Earlier, with next dev, two 5.9 typechecks, next build and two
 * a0deploy imports side by side, more than the cores ran tests into their timeouts; the
 * typechecks now take seconds (TypeScript 7) and next dev one quick test. `ASTRAL_TEST_WORKERS`
 * overrides it.
 */
function maxWorkers(): number {
  const raw = process.env.ASTRAL_TEST_WORKERS?.trim();
  if (!raw) return availableParallelism() + 1;
  if (!/^[1-9]\d*$/.test(raw))
    throw new Error(`ASTRAL_TEST_WORKERS must be a whole number above 0, not "${raw}"`);
  return Number(raw);
}

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
    // expect.poll's own default is 1 s: a page that answers in 1.5 s on a loaded CI machine is
    // not a failure. A poll that needs longer still says so itself.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: maxWorkers(),
    // Removes each file's `testTempDir` folders after its own hooks ("stack": last registered,
    // first run; the setup file's afterAll is registered first, so it runs last).
    setupFiles: ["tests/support/remove-temp-dirs.ts"],
    // Known-slow files first (tests/support/test-order.mts), so the run ends with short ones.
    sequence: { hooks: "stack", sequencer: SlowFirstSequencer },
    // The production build the e2e files share is made once per run (portal/test/production-build.ts):
    // this id tells a file whether the build it finds is this run's.
    provide: { testRunId: randomUUID() },
  },
});
