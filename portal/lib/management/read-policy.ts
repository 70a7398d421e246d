/**
 * How long the read cache (read-cache.ts) keeps what it read, by kind: the lifetimes per plan
 * (rate-plan.ts picks one per tenant), and the bounds on serving older answers.
 */

/** What a cached read is: a record read by id (consistent) or a list (search, count). */
export type ReadKind = "record" | "list";

/** How long a cached answer is served as is, and the most it may ever be served at. */
export interface ReadPolicy {
  freshMs: number;
  maxAgeMs: number;
}

/**
 * Sized to Free's 2 requests/s for 50 users (ADR 0600 "Rate budget"): each user's actor record
 * is read at most every 50 s (≈ 1 call/s for 50 users), lists every 30 s (Free: FREE_READ_POLICY). Revocation bound
 * across tasks: 60 s, the same as the search lag the lists already carry.
 */
export const DEFAULT_READ_POLICY: Record<ReadKind, ReadPolicy> = {
  record: { freshMs: 50_000, maxAgeMs: 60_000 },
  list: { freshMs: 30_000, maxAgeMs: 60_000 },
};

/**
 * On Free (2 requests/s per tenant) records live twice as long. Fifty users' actor records read
 * again every minute are 0.85 calls/s, and with the team pages' searches and a few people
 * creating credentials that left the production tenant's 1.8/s no room: a quarter of the views
 * failed with the rate-limiting error (ADR 0600 "Load benchmark"). Revocation bound across
 * tasks on Free: 2 minutes. Lists keep their lifetimes (their search lag is Auth0's).
 */
export const FREE_READ_POLICY: Record<ReadKind, ReadPolicy> = {
  record: { freshMs: 100_000, maxAgeMs: 120_000 },
  list: DEFAULT_READ_POLICY.list,
};

/** One lifetime for every kind, without background refresh (tests); 0 turns the cache off. */
export function uniformPolicy(ttlMs: number): Record<ReadKind, ReadPolicy> {
  const policy = { freshMs: ttlMs, maxAgeMs: ttlMs };
  return { record: policy, list: policy };
}

/**
 * How old a list may be served to a page view while the tenant's budget is busy, past its
 * lifetime or after a write that may have changed it, instead of a read that would queue behind
 * users' changes
 * (their creators' writes on Free's sandbox tenant made other members' views fail). Lists decide
 * nothing (a change reads records, or searches past the cache), and the viewer's own recent
 * changes are re-read by id on top of them. A background refresh is started each time.
 */
export const LIST_STALE_IF_BUSY_MS = 600_000;

/** The least a record read by search must have left of its lifetime to be worth that read. */
export const COLD_MIN_USE_MS = 30_000;
