import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryDelay } from "../lib/management/retry";

/** A 429's rate-limit headers: `remaining` absent means "not sent". */
const headers = (reset?: number, remaining?: number, extra: Record<string, string> = {}) =>
  new Headers({
    ...(reset === undefined ? {} : { "x-ratelimit-reset": String(reset) }),
    ...(remaining === undefined ? {} : { "x-ratelimit-remaining": String(remaining) }),
    ...extra,
  });

describe("retryDelay", () => {
  const now = 1_700_000_000_000;

  it("waits until x-ratelimit-reset on 429 when the bucket is empty, for any call", () => {
    const delay = retryDelay(
      { status: 429, headers: headers(now / 1000 + 2, 0) },
      1,
      DEFAULT_RETRY,
      false,
      now,
    );
    expect(delay).toBeGreaterThanOrEqual(2000);
    expect(delay).toBeLessThan(2100);
  });

  it("gives up when the reset is further away than the policy accepts", () => {
    expect(
      retryDelay(
        { status: 429, headers: headers(now / 1000 + 600, 0) },
        1,
        DEFAULT_RETRY,
        true,
        now,
      ),
    ).toBeUndefined();
  });

  it("backs off with jitter when a 429's headers claim room (Free's global limit), growing per attempt", () => {
    // Auth0 Free: remaining 49 and a reset that is now, yet 429. Reading the headers alone
    // would retry at once, 4 times within milliseconds.
    const failure = { status: 429, headers: headers(now / 1000, 49) };
    const at = (attempt: number, r: number) =>
      retryDelay(failure, attempt, DEFAULT_RETRY, false, now, () => r) as number;
    const base = DEFAULT_RETRY.rateLimitBackoffMs;
    expect(at(1, 0)).toBe(base);
    expect(at(1, 0.999)).toBeGreaterThanOrEqual(base / 2);
    expect(at(1, 0.999)).toBeLessThan(base);
    expect(at(2, 0)).toBe(2 * base);
    expect(at(3, 0)).toBe(4 * base);
    // Different random draws, different waits: concurrent callers do not come back together.
    expect(new Set([0.1, 0.5, 0.9].map((r) => at(1, r))).size).toBe(3);
    // The attempts together cover several seconds of Free's 2 requests/s, not milliseconds.
    const total = [1, 2, 3].reduce((sum, attempt) => sum + at(attempt, 0.999), 0);
    expect(total).toBeGreaterThanOrEqual(1500);
    // No headers at all: the same backoff.
    expect(
      retryDelay({ status: 429, headers: headers() }, 1, DEFAULT_RETRY, true, now, () => 0),
    ).toBe(base);
  });

  it("honours Retry-After (seconds or a date) before the rate-limit headers", () => {
    const seconds = headers(now / 1000, 49, { "retry-after": "3" });
    const delay = retryDelay({ status: 429, headers: seconds }, 1, DEFAULT_RETRY, true, now);
    expect(delay).toBeGreaterThanOrEqual(3000);
    expect(delay).toBeLessThan(3050);
    const date = headers(undefined, undefined, {
      "retry-after": new Date(now + 2000).toUTCString(),
    });
    const byDate = retryDelay({ status: 429, headers: date }, 1, DEFAULT_RETRY, true, now);
    expect(byDate).toBeGreaterThanOrEqual(2000);
    expect(byDate).toBeLessThan(2050);
    const far = headers(undefined, undefined, { "retry-after": "600" });
    expect(retryDelay({ status: 429, headers: far }, 1, DEFAULT_RETRY, true, now)).toBeUndefined();
  });

  it("is bounded by maxAttempts", () => {
    const failure = { status: 429, headers: headers() };
    expect(retryDelay(failure, DEFAULT_RETRY.maxAttempts - 1, DEFAULT_RETRY, true, now)).toBeTypeOf(
      "number",
    );
    expect(
      retryDelay(failure, DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY, true, now),
    ).toBeUndefined();
  });

  it("retries 5xx and network failures only when the call is safe to repeat", () => {
    expect(retryDelay({ status: 503, headers: headers() }, 1, DEFAULT_RETRY, true, now)).toBe(200);
    expect(retryDelay({ status: 503, headers: headers() }, 2, DEFAULT_RETRY, true, now)).toBe(400);
    expect(
      retryDelay({ status: 503, headers: headers() }, 1, DEFAULT_RETRY, false, now),
    ).toBeUndefined();
    expect(retryDelay({ status: undefined, headers: undefined }, 1, DEFAULT_RETRY, true, now)).toBe(
      200,
    );
  });

  it("never retries client errors", () => {
    for (const status of [400, 401, 403, 404, 409])
      expect(
        retryDelay({ status, headers: headers() }, 1, DEFAULT_RETRY, true, now),
      ).toBeUndefined();
  });
});
