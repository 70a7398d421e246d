/**
 * Bounded retries for Management API calls. A 429 was not processed by Auth0, so any call may be
 * retried after the time `x-ratelimit-reset` names (epoch seconds). 5xx and network failures are
 * retried only for calls the caller marks safe (reads, deletes that tolerate 404, creates that
 * first look for what an earlier attempt made). The SDK's own retries are turned off
 * (`maxRetries: 0`) because it retries 5xx on POST too, which can duplicate a client.
 */
export interface RetryPolicy {
  /** Attempts in total, first one included. */
  maxAttempts: number;
  /** Longest wait we accept from a rate-limit reset before giving up, in ms. */
  maxWaitMs: number;
  /** Backoff base for failures without a reset header, in ms. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxWaitMs: 10_000, baseDelayMs: 200 };

export interface FailureInfo {
  status: number | undefined;
  headers: Headers | undefined;
}

/** ms to wait before the next attempt, or undefined when the failure must not be retried. */
export function retryDelay(
  failure: FailureInfo,
  attempt: number,
  policy: RetryPolicy,
  safeToRepeat: boolean,
  now = Date.now(),
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxWaitMs);
  if (failure.status === 429) {
    const reset = Number(failure.headers?.get("x-ratelimit-reset"));
    if (Number.isFinite(reset) && reset > 0) {
      const wait = reset * 1000 - now;
      if (wait > policy.maxWaitMs) return undefined;
      return Math.max(wait, 0) + Math.floor(Math.random() * 50);
    }
    return backoff;
  }
  const transient = failure.status === undefined || failure.status >= 500 || failure.status === 408;
  return transient && safeToRepeat ? backoff : undefined;
}
