/**
 * Reads kept records again early, in the idle moments of a tenant's rate budget (ADR 0600
 * "Rate budget"). Records read at the same moment expire at the same moment: fifty users who
 * sign in together (the load benchmark, a team at nine in the morning) need fifty actor reads
 * within the same second 60 s later, 28 s of Free's budget, and the views behind them failed
 * with the rate-limiting error. Here, whenever the bucket has room to spare (nobody queued and
 * half its burst left for whoever comes next), the kept record nearest its end of life among
 * those in use is read again at the lowest priority, so the reads spread over the records'
 * lifetime instead of piling up at its end; on Free, user records go many at a time by one
 * search (read-cache.ts `refreshOldestRecord`). A record is read early at most once per half its
 * lifetime and only while someone uses it, so an idle portal makes no calls.
 */
import type { TokenBucket } from "./token-bucket";

/** How often the budget is looked at; one early read at most per look. */
export const EARLY_REFRESH_TICK_MS = 250;

export interface EarlyRefreshTarget {
  refreshOldestRecord: (within: { minAgeMs: number; activeMs: number }) => boolean;
}

/**
 * Starts the early reads for one tenant: `recordMaxAgeMs` is the records' lifetime (the read
 * cache's policy). The timer does not keep the process alive; the returned function stops it.
 */
export function startEarlyRefresh(
  bucket: TokenBucket,
  cache: EarlyRefreshTarget,
  recordMaxAgeMs: number,
): () => void {
  const reserve = Math.floor(bucket.shape.burst / 2);
  const within = { minAgeMs: recordMaxAgeMs / 2, activeMs: recordMaxAgeMs * 2 };
  const timer = setInterval(() => {
    if (bucket.hasRoom(reserve)) cache.refreshOldestRecord(within);
  }, EARLY_REFRESH_TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
