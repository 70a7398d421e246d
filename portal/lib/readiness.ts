/**
 * Whether this task is ready for users (`GET /api/ready`, the load balancer's target check):
 * once its reads ahead of the first page views are done (domain/prewarm.ts, started from
 * instrumentation.ts), so that users arriving together at a new task find their team's pages and
 * their own records read (ADR 0600 "Runs 26–32"). `/api/health` stays the liveness check (the
 * container's HEALTHCHECK): a task that is warming up is alive.
 *
 * Bounded: ready at the latest READY_AT_LATEST_MS after the process started, whatever the reads
 * did (the prewarm stops at its own deadline, PREWARM_MS, before that), so a task whose reads
 * never end is still let in, as it was before this check. One state per process, whatever copy
 * of this module Next's build holds (instrumentation and the route are bundled apart).
 */

/** The prewarm's 60 s (domain/prewarm.ts PREWARM_MS) and a margin for its last read. */
export const READY_AT_LATEST_MS = 75_000;

const WARM = Symbol.for("astral.readiness");
const shared = globalThis as { [WARM]?: true };

/** The reads ahead of the first page views are done (or ended without a cache to fill). */
export function markWarm(): void {
  shared[WARM] = true;
}

/** Whether to let users in: warm, or started READY_AT_LATEST_MS ago. */
export function isReady(uptimeMs = process.uptime() * 1000): boolean {
  return shared[WARM] === true || uptimeMs >= READY_AT_LATEST_MS;
}
