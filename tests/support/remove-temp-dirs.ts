/**
 * vitest setup file (vitest.config.mts): after each test file, stop the servers it started
 * (`stopWhenFileEnds`, stop-later.ts: also those whose `beforeAll` timed out) and then remove the
 * folders it made with `testTempDir`. A setup file's `afterAll` is registered first, so with
 * vitest's stacked hooks it runs last, after the file's own hooks.
 */
import { afterAll } from "vitest";
import { stopAllStarted } from "./stop-later";
import { removeTestTempDirs } from "./temp-dirs";

afterAll(async () => {
  try {
    await stopAllStarted();
  } finally {
    removeTestTempDirs();
  }
});
