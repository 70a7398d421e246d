/**
 * Bounded retries for Management API calls. A 429 was not processed by Auth0, so any call may be
 * retried. 5xx and network failures are retried only for calls the caller marks safe (reads,
 * deletes that tolerate 404, creates that first look for what an earlier attempt made). The SDK's
 * own retries are turned off (`maxRetries: 0`) because it retries 5xx on POST too, which can
 * duplicate a client.
 *
 * How long a 429 waits, first that applies:
 *  1. `Retry-After` (seconds or an HTTP date), when sent;
 *  2. `x-ratelimit-reset` (epoch seconds) when `x-ratelimit-remaining` says the bucket is empty;
 *  3. otherwise the headers claim room that the answer contradicts: Auth0's Free global limit
 *     (2 requests/s, bursts of 10) applies "in addition to those indicated in the rate limit
 *     response headers". Reading only the headers would retry at once and spend every attempt in
 *     milliseconds, so this backs off exponentially from `rateLimitBackoffMs`, with jitter so that
 *     concurrent callers do not return together.
 */
export interface RetryPolicy {
  /** Attempts in total, first one included. */
  maxAttempts: number;
  /** Longest single wait we accept before giving up, in ms. */
  maxWaitMs: number;
  /** Backoff base for 5xx and network failures, in ms. */
  baseDelayMs: number;
  /** Backoff base for a 429 whose headers claim room (one request's time at Free's 2/s). */
  rateLimitBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  maxWaitMs: 10_000,
  baseDelayMs: 200,
  rateLimitBackoffMs: 500,
};

export interface FailureInfo {
  status: number | undefined;
  headers: Headers | undefined;
}

/** Spread of a jittered wait: it lies in [wait × (1 − JITTER), wait]. */
const JITTER = 0.5;

/** ms to wait before the next attempt, or undefined when the failure must not be retried. */
export function retryDelay(
  failure: FailureInfo,
  attempt: number,
  policy: RetryPolicy,
  safeToRepeat: boolean,
  now = Date.now(),
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const exponential = (base: number) => Math.min(base * 2 ** (attempt - 1), policy.maxWaitMs);
  if (failure.status === 429) {
    const told = announcedWait(failure.headers, now);
    if (told !== undefined) {
      if (told > policy.maxWaitMs) return undefined;
      return told + Math.floor(random() * 50);
    }
    const backoff = exponential(policy.rateLimitBackoffMs);
    return Math.round(backoff * (1 - JITTER * random()));
  }
  const transient = failure.status === undefined || failure.status >= 500 || failure.status === 408;
  return transient && safeToRepeat ? exponential(policy.baseDelayMs) : undefined;
}

/** The wait a 429's headers name (Retry-After, or the reset of an empty bucket), if any. */
function announcedWait(headers: Headers | undefined, now: number): number | undefined {
  const retryAfter = headers?.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(at - now, 0);
  }
  const remaining = headers?.get("x-ratelimit-remaining");
  const reset = Number(headers?.get("x-ratelimit-reset"));
  const empty = remaining !== null && remaining !== undefined && Number(remaining) <= 0;
  if (empty && Number.isFinite(reset) && reset * 1000 > now) return reset * 1000 - now;
  return undefined;
}
