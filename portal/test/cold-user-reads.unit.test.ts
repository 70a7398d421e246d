/**
 * User records missed on an empty cache while the tenant's budget is busy are read by one user
 * search (lib/management/cold-user-reads.ts) and kept as old as the assumed search lag.
 */
import { describe, expect, it } from "vitest";
import { coldUserReads, MAX_IDS } from "../lib/management/cold-user-reads";
import { cachingFetch, withConsistentRecordReads } from "../lib/management/read-cache";
import { type ReadPolicy, uniformPolicy } from "../lib/management/read-policy";

const API = "https://tenant.example/api/v2";
const FREE = { record: { freshMs: 100_000, maxAgeMs: 120_000 }, list: uniformPolicy(0).list };

/** A tenant whose search knows `indexed` users; notes every request and its token header. */
function tenant(indexed: string[]) {
  const seen: string[] = [];
  const tokens: Array<string | null> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    seen.push(
      `${url.pathname.slice("/api/v2".length)}${url.search ? `?${url.searchParams.get("q")}` : ""}`,
    );
    tokens.push(new Headers(init?.headers).get("authorization"));
    if (url.pathname === "/api/v2/users") {
      const q = url.searchParams.get("q") ?? "";
      return Response.json(
        indexed
          .filter((id) => q.includes(JSON.stringify(id)))
          .map((id) => ({ user_id: id, from: "search" })),
      );
    }
    const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    return Response.json({ user_id: id, from: "id" });
  };
  return { fetch, seen, tokens };
}

function cache(
  t: ReturnType<typeof tenant>,
  { busy = true, lagMs = 60_000, policy = FREE as Record<"record" | "list", ReadPolicy> } = {},
) {
  let clock = 1_000_000;
  const c = cachingFetch(t.fetch, {
    policy,
    now: () => clock,
    cold: coldUserReads(t.fetch, async () => {}),
    searchLagMs: lagMs,
    busy: () => busy,
  });
  const read = async (id: string) =>
    (await (
      await c.fetch(`${API}/users/${encodeURIComponent(id)}`, {
        headers: { authorization: "Bearer t" },
      })
    ).json()) as { user_id: string; from: string };
  return { c, read, advance: (ms: number) => (clock += ms) };
}

describe("cold user-record reads", () => {
  it("many misses at once while busy: one search, with the SDK's token; a user it lacks is read by id", async () => {
    const t = tenant(["auth0|a", "auth0|b", "auth0|c"]);
    const { read } = cache(t);
    const got = await Promise.all(["auth0|a", "auth0|b", "auth0|c", "auth0|new"].map(read));
    expect(got.map((u) => `${u.user_id} ${u.from}`)).toEqual([
      "auth0|a search",
      "auth0|b search",
      "auth0|c search",
      "auth0|new id",
    ]);
    expect(t.seen).toEqual([
      '/users?user_id:("auth0|a" OR "auth0|b" OR "auth0|c" OR "auth0|new")',
      "/users/auth0%7Cnew",
    ]);
    expect(t.tokens).toEqual(["Bearer t", "Bearer t"]);
  });

  it("a record found by search is served only for its lifetime less the assumed lag", async () => {
    const t = tenant(["auth0|a"]);
    const { read, advance } = cache(t, { lagMs: 60_000 });
    await read("auth0|a");
    advance(59_000);
    expect((await read("auth0|a")).from).toBe("search"); // 119 s old as counted: kept
    advance(2_000); // 121 s: past the 120 s lifetime, read again (by search: still busy)
    await read("auth0|a");
    expect(t.seen).toHaveLength(2);
  });

  it("not when the budget has room, not in a server action, not where the lag leaves too little of the lifetime", async () => {
    const idle = tenant(["auth0|a"]);
    await cache(idle, { busy: false }).read("auth0|a");
    expect(idle.seen).toEqual(["/users/auth0%7Ca"]);

    const action = tenant(["auth0|a"]);
    const inAction = cache(action);
    await withConsistentRecordReads(() => inAction.read("auth0|a"));
    expect(action.seen).toEqual(["/users/auth0%7Ca"]);

    const paid = tenant(["auth0|a"]); // 60 s records, 60 s lag: nothing left
    await cache(paid, { policy: uniformPolicy(60_000) }).read("auth0|a");
    expect(paid.seen).toEqual(["/users/auth0%7Ca"]);
  });

  it("users asked for while the search waits for its token join it; one asked after it is sent opens the next", async () => {
    const t = tenant(["auth0|a", "auth0|b", "auth0|c"]);
    let grant: () => void = () => {};
    const turns: Array<Promise<void>> = [];
    const reads = coldUserReads(t.fetch, () => {
      const turn = new Promise<void>((resolve) => {
        grant = resolve;
      });
      turns.push(turn);
      return turn;
    });
    const headers = new Headers({ authorization: "Bearer t" });
    const a = reads.read(API, "auth0|a", headers);
    await new Promise((r) => setTimeout(r, 10));
    const b = reads.read(API, "auth0|b", headers); // 10 ms later, still waiting: joins
    grant();
    expect(JSON.parse((await a) ?? "{}").user_id).toBe("auth0|a");
    expect(JSON.parse((await b) ?? "{}").user_id).toBe("auth0|b");
    const c = reads.read(API, "auth0|c", headers);
    grant();
    await c;
    expect(turns).toHaveLength(2);
    expect(t.seen).toEqual([
      '/users?user_id:("auth0|a" OR "auth0|b")',
      '/users?user_id:("auth0|c")',
    ]);
  });

  it("a search the budget refuses leaves each user to be read by id", async () => {
    const t = tenant(["auth0|a"]);
    const reads = coldUserReads(t.fetch, async () => {
      throw new Error("budget spent");
    });
    expect(await reads.read(API, "auth0|a", new Headers())).toBeUndefined();
    expect(t.seen).toEqual([]);
  });

  it(`at most ${MAX_IDS} users per search`, async () => {
    const ids = Array.from({ length: MAX_IDS + 5 }, (_, i) => `auth0|u${i}`);
    const t = tenant(ids);
    const { read } = cache(t);
    const got = await Promise.all(ids.map(read));
    expect(got.every((u) => u.from === "search")).toBe(true);
    expect(t.seen).toHaveLength(2);
  });
});
