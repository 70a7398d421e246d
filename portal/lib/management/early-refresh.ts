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
import { MAX_IDS } from "./cold-user-reads";
import type { TokenBucket } from "./token-bucket";

/** How often the budget is looked at; one early read at most per look. */
export const EARLY_REFRESH_TICK_MS = 250;

/** Which kept records are read again: used in the last `activeMs`, at least `minAgeMs` old. */
export interface EarlyWindow {
  minAgeMs: number;
  activeMs: number;
  /** While the budget is busy: only those that end within this, ahead of page views. */
  dueInMs?: number;
}

export interface EarlyRefreshTarget {
  refreshOldestRecord: (within: EarlyWindow) => boolean;
}

/**
 * How long before its end a record in use is read again while the budget is busy: enough for
 * a few seconds' wait behind changes, and one search then reads fifty users' records again.
 */
export const DUE_IN_MS = 20_000;

/**
 * Starts the early reads for one tenant: `recordMaxAgeMs` is the records' lifetime (the read
 * cache's policy). The timer does not keep the process alive; the returned function stops it.
 */
export function startEarlyRefresh(
  bucket: TokenBucket,
  cache: EarlyRefreshTarget,
  recordMaxAgeMs: number,
): () => void {
  const within = { minAgeMs: recordMaxAgeMs / 2, activeMs: recordMaxAgeMs * 2 };
  const due = { ...within, dueInMs: Math.min(DUE_IN_MS, recordMaxAgeMs / 4) };
  const timer = setInterval(() => {
    cache.refreshOldestRecord(bucket.hasRoomToSpare() ? within : due);
  }, EARLY_REFRESH_TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Which kept records (`inUse`, by URL, read at `at`) are read again now: the user records
 * `bySearch` reads, by one search, once the oldest is `searchAgeMs` old, with every other at
 * least `alongAgeMs` old (so records read apart come to be read together), up to MAX_IDS; a
 * single user due is read by id instead (the same one call, and a record as new as it gets),
 * or else the oldest other record at least `minAgeMs` old. None by search while one is
 * `searching` (one at a time).
 */
export function dueRecords<E extends { at: number }>(
  inUse: Array<[string, E]>,
  o: {
    at: number;
    minAgeMs: number;
    searchAgeMs: number;
    alongAgeMs: number;
    bySearch: (url: string) => boolean;
    searching: boolean;
  },
): { users: Array<[string, E]>; oldest: [string, E] | undefined } {
  const candidates = inUse
    .filter(([url, e]) => !o.searching && o.bySearch(url) && o.at - e.at >= o.alongAgeMs)
    .sort((a, b) => a[1].at - b[1].at);
  const oldestAge = o.at - (candidates[0]?.[1].at ?? o.at);
  const users = oldestAge >= o.searchAgeMs ? candidates.slice(0, MAX_IDS) : [];
  if (users.length > 1) return { users, oldest: undefined };
  let oldest = users[0];
  for (const [url, entry] of inUse) {
    if (o.at - entry.at < o.minAgeMs || o.bySearch(url)) continue;
    if (!oldest || entry.at < oldest[1].at) oldest = [url, entry];
  }
  return { users: [], oldest };
}
