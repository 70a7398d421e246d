/**
 * Timeouts of tests that wait on CPU-bound child processes. `a0deploy import` spends about a
 * minute of one core compiling its JSON schemas with ajv (profiled: 60 of 66 s in ajv), before
 * it sends a request; with other test files beside it on a loaded 2-core machine one import took
 * over 180 s. The bound is for a stuck run, not a budget.
 */
export const A0DEPLOY_IMPORT_TIMEOUT_MS = 600_000;
