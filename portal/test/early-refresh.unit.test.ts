/**
 * Records read at the same moment are read again early, oldest first, while the tenant's rate
 * budget has room (lib/management/early-refresh.ts), so that they do not all expire at once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { EARLY_REFRESH_TICK_MS, startEarlyRefresh } from "../lib/management/early-refresh";
import { BACKGROUND_HEADER, cachingFetch } from "../lib/management/read-cache";
import { uniformPolicy } from "../lib/management/read-policy";
import { TokenBucket } from "../lib/management/token-bucket";

const API = "https://tenant.example/api/v2";

/** A tenant that answers every read with its path, noting each and whether it was background. */
function tenant() {
  const reads: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const path = String(input).slice(API.length);
    const background = new Headers(init?.headers).has(BACKGROUND_HEADER);
    reads.push(`${path}${background ? " (background)" : ""}`);
    return Response.json({ path });
  };
  return { fetch, reads };
}

describe("early refresh of kept records", () => {
  afterEach(() => vi.useRealTimers());

  it("reads again the used record nearest its end of life, no younger than minAgeMs, and leaves lists and unused records", async () => {
    let clock = 0;
    const t = tenant();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000), now: () => clock });
    await c.fetch(`${API}/users/u1`);
    clock = 1_000;
    await c.fetch(`${API}/users/u2`);
    await c.fetch(`${API}/users?q=teamId`);
    await c.fetch(`${API}/clients/idle`);
    const within = { minAgeMs: 30_000, activeMs: 40_000 };
    clock = 20_000;
    expect(c.refreshOldestRecord(within)).toBe(false); // none 30 s old yet
    clock = 35_000;
    await c.fetch(`${API}/users/u1`); // in use (a hit: no call)
    await c.fetch(`${API}/users/u2`);
    clock = 45_000; // `idle` last used at 1 s: not in use any more
    expect(c.refreshOldestRecord(within)).toBe(true);
    await vi.waitFor(() => expect(t.reads.at(-1)).toBe("/users/u1 (background)"));
    expect(c.refreshOldestRecord(within)).toBe(true);
    await vi.waitFor(() => expect(t.reads.at(-1)).toBe("/users/u2 (background)"));
    // Both just read again; the list and the unused record never are.
    expect(c.refreshOldestRecord(within)).toBe(false);
    expect(c.stats.early).toBe(2);
    expect(t.reads.filter((r) => r.includes("background"))).toHaveLength(2);
    // The refreshed answers serve the next reads, without a call.
    await c.fetch(`${API}/users/u1`);
    expect(t.reads).toHaveLength(6);
  });

  it("runs only while the bucket has half its burst to spare and nobody is queued", async () => {
    vi.useFakeTimers();
    let room = false;
    const bucket = new TokenBucket({ perSecond: 2, burst: 10 }, 8_000);
    vi.spyOn(bucket, "hasRoom").mockImplementation((reserve) => {
      expect(reserve).toBe(5);
      return room;
    });
    const refreshOldestRecord = vi.fn(() => true);
    const stop = startEarlyRefresh(bucket, { refreshOldestRecord }, 60_000);
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).not.toHaveBeenCalled();
    room = true;
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).toHaveBeenCalledTimes(4);
    expect(refreshOldestRecord).toHaveBeenCalledWith({ minAgeMs: 30_000, activeMs: 120_000 });
    stop();
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).toHaveBeenCalledTimes(4);
  });

  it("the bucket has room when nobody waits and a call leaves the reserve", () => {
    let clock = 0;
    const bucket = new TokenBucket({ perSecond: 1, burst: 4 }, 8_000, () => clock);
    expect(bucket.hasRoom(2)).toBe(true);
    void bucket.take("interactive");
    void bucket.take("interactive");
    expect(bucket.hasRoom(2)).toBe(false); // 2 left: a call would leave 1
    clock = 1_000;
    expect(bucket.hasRoom(2)).toBe(true);
  });
});
