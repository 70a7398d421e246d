/**
 * `npm test` runs vitest with a temp dir of its own and fails when anything is left in it: tests
 * remove what they make (tests/support/temp-dirs.ts), including what the code under test makes.
 */
import { readdirSync } from "node:fs";

/**
 * Caches that tools (not our tests or code) keep in the temp dir on purpose, to reuse across runs.
 * Matched by exact name.
 */
export const TOOL_CACHES: ReadonlyMap<string, string> = new Map([
  // Node's module compile cache (module.enableCompileCache()'s default folder).
  ["node-compile-cache", "Node"],
]);

/** What a test run left in `dir`, tool caches aside, sorted. */
export function leftoversIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !TOOL_CACHES.has(name))
    .sort();
}
