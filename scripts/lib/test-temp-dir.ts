/**
 * `npm test` runs vitest with a temp dir of its own and fails when anything is left in it: tests
 * remove what they make (tests/support/temp-dirs.ts), including what the code under test makes.
 */
import { readdirSync } from "node:fs";

/** Caches that tools (not our tests or code) keep in the temp dir on purpose, across runs. */
export const TOOL_CACHES: readonly RegExp[] = [
  /^node-compile-cache$/, // Node's module compile cache (module.enableCompileCache's default)
  /^tsx-\d+$/, // tsx's transform cache, one per user id
  /^ts-node-[0-9a-f]{64}$/, // ts-node's compiled-file cache (the Pulumi program's runtime)
];

/** What a test run left in `dir`, tool caches aside, sorted. */
export function leftoversIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !TOOL_CACHES.some((cache) => cache.test(name)))
    .sort();
}
