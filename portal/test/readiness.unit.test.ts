/**
 * A new task tells the load balancer it is ready once its reads ahead of the first page views
 * are done, and at the latest READY_AT_LATEST_MS after it started (lib/readiness.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { PREWARM_MS } from "../lib/domain/prewarm";
import { isReady, markWarm, READY_AT_LATEST_MS } from "../lib/readiness";

// The state is one per process (a Symbol.for key): each test starts without it.
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("astral.readiness")];
});

describe("readiness", () => {
  it("is not ready while warming up, and ready once warm", () => {
    expect(isReady(1_000)).toBe(false);
    markWarm();
    expect(isReady(1_000)).toBe(true);
  });

  it("is ready at the latest READY_AT_LATEST_MS after the start, after the prewarm's own deadline", () => {
    expect(READY_AT_LATEST_MS).toBeGreaterThan(PREWARM_MS);
    expect(isReady(READY_AT_LATEST_MS - 1)).toBe(false);
    expect(isReady(READY_AT_LATEST_MS)).toBe(true);
  });
});
