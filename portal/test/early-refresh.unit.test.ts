/**
 * Records read at the same moment are read again early, oldest first, while the tenant's rate
 * budget has room (lib/management/early-refresh.ts), so that they do not all expire at once.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { coldUserReads } from "../lib/management/cold-user-reads";
import {
  DUE_IN_MS,
  EARLY_REFRESH_TICK_MS,
  startEarlyRefresh,
} from "../lib/management/early-refresh";
import {
  BACKGROUND_HEADER,
  cachingFetch,
  DUE_REFRESH,
  withConsistentRecordReads,
} from "../lib/management/read-cache";
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

  it("runs while the bucket has half its burst to spare and nobody is queued; otherwise only for records about to end", async () => {
    vi.useFakeTimers();
    let room = false;
    const bucket = new TokenBucket({ perSecond: 2, burst: 10 }, 8_000);
    vi.spyOn(bucket, "hasRoom").mockImplementation((reserve) => {
      expect(reserve).toBe(5);
      return room;
    });
    const refreshOldestRecord = vi.fn(() => true);
    const stop = startEarlyRefresh(bucket, { refreshOldestRecord }, 120_000);
    const within = { minAgeMs: 60_000, activeMs: 240_000 };
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).toHaveBeenCalledTimes(4);
    expect(refreshOldestRecord).toHaveBeenLastCalledWith({ ...within, dueInMs: DUE_IN_MS });
    room = true;
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).toHaveBeenCalledTimes(8);
    expect(refreshOldestRecord).toHaveBeenLastCalledWith(within);
    stop();
    vi.advanceTimersByTime(EARLY_REFRESH_TICK_MS * 4);
    expect(refreshOldestRecord).toHaveBeenCalledTimes(8);
  });

  it("while the budget is busy, a record in use about to end is read again ahead of page views (DUE_REFRESH); one with time left is not", async () => {
    let clock = 0;
    const marks: Array<string | null> = [];
    const t = tenant();
    const fetch: typeof globalThis.fetch = (input, init) => {
      marks.push(new Headers(init?.headers).get(BACKGROUND_HEADER));
      return t.fetch(input, init);
    };
    const c = cachingFetch(fetch, { policy: uniformPolicy(60_000), now: () => clock });
    await c.fetch(`${API}/clients/team1`);
    clock = 20_000;
    await c.fetch(`${API}/clients/team2`);
    const busy = { minAgeMs: 30_000, activeMs: 120_000, dueInMs: 15_000 };
    clock = 44_000; // team1 ends in 16 s: not yet
    expect(c.refreshOldestRecord(busy)).toBe(false);
    clock = 46_000; // team1 ends in 14 s; team2 in 34 s
    expect(c.refreshOldestRecord(busy)).toBe(true);
    await vi.waitFor(() => expect(t.reads.at(-1)).toBe("/clients/team1 (background)"));
    expect(marks.at(-1)).toBe(DUE_REFRESH);
    expect(c.refreshOldestRecord(busy)).toBe(false);
    // With room, the same record would have gone at 30 s, at the lowest priority.
    expect(c.refreshOldestRecord({ minAgeMs: 25_000, activeMs: 120_000 })).toBe(true);
    await vi.waitFor(() => expect(t.reads.at(-1)).toBe("/clients/team2 (background)"));
    expect(marks.at(-1)).toBe("1");
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

describe("early refresh of user records by one search (where the plan's lifetimes allow)", () => {
  const FREE = { record: { freshMs: 100_000, maxAgeMs: 120_000 }, list: uniformPolicy(0).list };
  const within = { minAgeMs: 60_000, activeMs: 240_000 };

  /** A tenant whose search knows `indexed` users and can be held; notes every request. */
  function searchable(indexed: string[]) {
    const seen: string[] = [];
    let release: () => void = () => {};
    let held: Promise<void> | undefined;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(String(input));
      const background = new Headers(init?.headers).has(BACKGROUND_HEADER) ? " (background)" : "";
      const q = url.searchParams.get("q");
      seen.push(`${url.pathname.slice("/api/v2".length)}${q ? `?${q}` : ""}${background}`);
      if (q === null) {
        const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
        return Response.json({ user_id: id, from: "id" });
      }
      await held;
      if (q === "fail") return new Response("{}", { status: 503 });
      return Response.json(
        indexed
          .filter((id) => q.includes(JSON.stringify(id)))
          .map((id) => ({ user_id: id, from: "search" })),
      );
    };
    const hold = () => {
      held = new Promise<void>((r) => {
        release = r;
      });
    };
    return { fetch, seen, hold, release: () => release() };
  }

  function cache(t: ReturnType<typeof searchable>) {
    let clock = 1_000_000;
    const c = cachingFetch(t.fetch, {
      policy: FREE,
      now: () => clock,
      cold: coldUserReads(t.fetch, async () => {}),
      searchLagMs: 60_000,
      busy: () => false,
    });
    const read = async (path: string) =>
      (await (
        await c.fetch(`${API}${path}`, { headers: { authorization: "Bearer t" } })
      ).json()) as { user_id: string; from: string };
    return { c, read, at: (ms: number) => (clock = 1_000_000 + ms) };
  }
  const settled = () => new Promise((r) => setTimeout(r, 20));

  it("reads the users due again by one search in the background, a user it lacks by id, other records by id", async () => {
    const t = searchable(["auth0|a", "auth0|b"]);
    const { c, read, at } = cache(t);
    for (const path of [
      "/users/auth0%7Ca",
      "/users/auth0%7Cb",
      "/users/auth0%7Cnew",
      "/clients/team",
    ])
      await read(path);
    at(85_000);
    for (const path of [
      "/users/auth0%7Ca",
      "/users/auth0%7Cb",
      "/users/auth0%7Cnew",
      "/clients/team",
    ])
      await read(path); // in use; hits
    // Not due by search before lag + a quarter of the lifetime (90 s); the team record is.
    expect(c.refreshOldestRecord(within)).toBe(true);
    await settled();
    expect(t.seen.slice(4)).toEqual(["/clients/team (background)"]);
    at(95_000);
    expect(c.refreshOldestRecord(within)).toBe(true);
    await settled();
    expect(t.seen.slice(5)).toEqual([
      '/users?user_id:("auth0|a" OR "auth0|b" OR "auth0|new") (background)',
      "/users/auth0%7Cnew (background)",
    ]);
    expect(c.stats.early).toBe(4);
    // a and b now count as read at 35 s (95 s less the 60 s lag): served as they are until 135 s
    // and kept until 155 s, where the first reads, at 0 s, would have expired at 120 s.
    at(130_000);
    expect((await read("/users/auth0%7Ca")).from).toBe("search");
    expect((await read("/users/auth0%7Cnew")).from).toBe("id");
    expect(t.seen).toHaveLength(7);
    at(156_000);
    await read("/users/auth0%7Cb");
    expect(t.seen).toHaveLength(8);
  });

  it("once one user is due, those read later go along, so records read apart come to be read together", async () => {
    const t = searchable(["auth0|a", "auth0|b", "auth0|c"]);
    const { c, read, at } = cache(t);
    await read("/users/auth0%7Ca");
    at(20_000);
    await read("/users/auth0%7Cb"); // a search would give it back 15 s at 95 s: goes along
    at(30_000);
    await read("/users/auth0%7Cc"); // only 5 s: stays for the next search
    at(95_000);
    for (const id of ["a", "b", "c"]) await read(`/users/auth0%7C${id}`);
    expect(c.refreshOldestRecord(within)).toBe(true);
    await settled();
    expect(t.seen.slice(3)).toEqual(['/users?user_id:("auth0|a" OR "auth0|b") (background)']);
  });

  it("one search at a time; a read by id meanwhile is not replaced by the older searched record", async () => {
    const t = searchable(["auth0|a", "auth0|b"]);
    const { c, read, at } = cache(t);
    await read("/users/auth0%7Ca");
    await read("/users/auth0%7Cb");
    at(95_000);
    t.hold();
    expect(c.refreshOldestRecord(within)).toBe(true);
    expect(c.refreshOldestRecord(within)).toBe(false); // the search is still out: none again
    await withConsistentRecordReads(() => read("/users/auth0%7Ca")); // a server action's read
    t.release();
    await settled();
    expect(t.seen.filter((s) => s.startsWith("/users?"))).toHaveLength(1);
    expect((await read("/users/auth0%7Ca")).from).toBe("id");
    expect((await read("/users/auth0%7Cb")).from).toBe("search");
  });

  it("a single user due is read by id; a failed search leaves the records as they are", async () => {
    const one = searchable(["auth0|a"]);
    const single = cache(one);
    await single.read("/users/auth0%7Ca");
    single.at(95_000);
    expect(single.c.refreshOldestRecord(within)).toBe(true);
    await settled();
    expect(one.seen.at(-1)).toBe("/users/auth0%7Ca (background)");

    const failing = searchable([]);
    const { c, read, at } = cache({
      ...failing,
      fetch: (input, init) => failing.fetch(String(input).replace(/q=[^&]+/, "q=fail"), init),
    });
    await read("/users/auth0%7Ca");
    await read("/users/auth0%7Cb");
    at(95_000);
    expect(c.refreshOldestRecord(within)).toBe(true);
    await settled();
    expect(failing.seen.slice(2)).toEqual(["/users?fail (background)"]);
    expect((await read("/users/auth0%7Ca")).from).toBe("id"); // the old record, still served
    expect(failing.seen).toHaveLength(3);
  });
});
