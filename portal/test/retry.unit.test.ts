import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryDelay } from "../lib/management/retry";

const headers = (reset?: number) =>
  new Headers(reset === undefined ? {} : { "x-ratelimit-reset": String(reset) });

describe("retryDelay", () => {
  const now = 1_700_000_000_000;

  it("waits until x-ratelimit-reset on 429, for any call", () => {
    const delay = retryDelay(
      { status: 429, headers: headers(now / 1000 + 2) },
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
      retryDelay({ status: 429, headers: headers(now / 1000 + 600) }, 1, DEFAULT_RETRY, true, now),
    ).toBeUndefined();
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
