/**
 * Temporary folders for tests that are removed when their test file ends.
 *
 * `testTempDir` can be called anywhere in a test file (at the top, in a hook, in a fixture
 * function, in a test); `tests/support/remove-temp-dirs.ts`, a vitest setup file, removes every
 * folder made in that file once its last `afterAll` has run. `npm test` fails when a run leaves
 * anything in its temp dir (scripts/test.ts), so a forgotten folder shows up at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const made: string[] = [];

/** A new empty folder `<tmpdir>/<prefix>XXXXXX`, removed after this test file. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder `testTempDir` made in this test file. */
export function removeTestTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
