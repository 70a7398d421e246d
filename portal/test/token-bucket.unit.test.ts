import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CallPriority, RateBudgetExceeded, TokenBucket } from "../lib/management/token-bucket";

const FREE = { perSecond: 2, burst: 10 };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Takes a token and records when (fake ms) it was granted, or that it was refused. */
function taker(bucket: TokenBucket) {
  const granted: string[] = [];
  const take = (name: string, priority: CallPriority = "interactive") =>
    bucket.take(priority).then(
      () => granted.push(`${name}@${Date.now()}`),
      (e: unknown) => granted.push(`${name} refused (${(e as Error).name})`),
    );
  return { granted, take };
}

describe("token bucket shaped to the plan's limit", () => {
  it("grants the burst at once, then one call per 1/perSecond, never faster", async () => {
    const bucket = new TokenBucket(FREE, 60_000);
    const { granted, take } = taker(bucket);
    const all = Array.from({ length: 14 }, (_, i) => take(`c${i}`));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toHaveLength(10);
    expect(granted.every((g) => g.endsWith("@0"))).toBe(true);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(all);
    expect(granted.slice(10)).toEqual(["c10@500", "c11@1000", "c12@1500", "c13@2000"]);
  });

  it("serves queued writes before interactive reads before background refreshes", async () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 1 }, 60_000);
    const { granted, take } = taker(bucket);
    await take("first");
    const queued = [
      take("refresh", "background"),
      take("page", "interactive"),
      take("create", "write"),
    ];
    await vi.advanceTimersByTimeAsync(1500);
    await Promise.all(queued);
    expect(granted).toEqual(["first@0", "create@500", "page@1000", "refresh@1500"]);
  });

  it("within a priority, serves calls in the order their requests began, not the order asked", async () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 1 }, 60_000);
    const granted: string[] = [];
    const take = (name: string, order?: number) =>
      bucket.take("interactive", order).then(() => granted.push(name));
    await take("first");
    await vi.advanceTimersByTimeAsync(100);
    // View B began at 50 and asked first; view A began at 10 and asks for its second call now;
    // a call that names no request counts as begun when asked (100).
    const calls = [take("B's actor", 50), take("unnamed"), take("A's list", 10), take("C", 50)];
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    expect(granted).toEqual(["first", "A's list", "B's actor", "C", "unnamed"]);
  });

  it("refuses at once a call whose wait would pass the bound, and says how long it would be", async () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 2 }, 1000);
    const { granted, take } = taker(bucket);
    await take("a");
    await take("b");
    expect(bucket.waitMs()).toBe(500);
    void take("c"); // waits 500 ms
    void take("d"); // waits 1000 ms: at the bound, accepted
    expect(bucket.waitMs()).toBe(1500);
    await expect(bucket.take("interactive")).rejects.toBeInstanceOf(RateBudgetExceeded);
    await vi.advanceTimersByTimeAsync(1000);
    expect(granted).toEqual(["a@0", "b@0", "c@500", "d@1000"]);
  });

  it("a queued call overtaken past its deadline is refused, not left hanging", async () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 2500);
    const { granted, take } = taker(bucket);
    await take("first");
    const refresh = take("refresh", "background"); // would be next, at 1000
    const pages = [take("p1"), take("p2")]; // overtake it: 1000, 2000
    await vi.advanceTimersByTimeAsync(2500);
    await Promise.all([refresh, ...pages]);
    expect(granted).toEqual([
      "first@0",
      "p1@1000",
      "p2@2000",
      "refresh refused (RateBudgetExceeded)",
    ]);
  });

  it("a 429 from the tenant empties the estimate: the next call waits a full token", async () => {
    const bucket = new TokenBucket(FREE, 60_000);
    expect(bucket.waitMs()).toBe(0);
    bucket.drain();
    expect(bucket.waitMs()).toBe(500);
    const { granted, take } = taker(bucket);
    const t = take("after-429");
    await vi.advanceTimersByTimeAsync(500);
    await t;
    expect(granted).toEqual(["after-429@500"]);
  });

  it("refuses a shape that cannot limit anything", () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 10 }, 1000)).toThrow(/perSecond > 0/);
  });
});
