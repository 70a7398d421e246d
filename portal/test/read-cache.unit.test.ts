import { describe, expect, it } from "vitest";
import {
  BACKGROUND_HEADER,
  cachingFetch,
  FRESH_READ,
  FRESH_READ_HEADER,
  MAY_BE_OLD,
  withConsistentRecordReads,
} from "../lib/management/read-cache";
import { MAY_BE_OLD_HEADER } from "../lib/management/read-markers";
import { uniformPolicy } from "../lib/management/read-policy";

import { API, body, transport } from "./fake-transport";

describe("read cache over the Management API", () => {
  it("concurrent identical reads share one request; a later one within the TTL is served from it", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(1000) });
    t.holdNext();
    const reads = Array.from({ length: 5 }, () => c.fetch(`${API}/users/u1`));
    t.release();
    expect(await Promise.all(reads.map(async (r) => body(await r)))).toEqual([1, 1, 1, 1, 1]);
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    expect(t.seen).toEqual(["GET /users/u1"]);
    expect(c.stats).toEqual({ hits: 1, stale: 0, early: 0, shared: 4, misses: 1 });
    // Another query is another read.
    expect(await body(await c.fetch(`${API}/users?q=a`))).toBe(2);
  });

  it("a fresh read (limit counts, an issuer's re-check) bypasses a cached answer and replaces it, and the marker stays in the process", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    expect(await body(await c.fetch(`${API}/users/u1`, FRESH_READ))).toBe(2);
    expect(await body(await c.fetch(`${API}/users/u1`, FRESH_READ))).toBe(3);
    // The fresh answer is the newest: it replaces the kept one.
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(3);
    expect(t.seen).toEqual(["GET /users/u1", "GET /users/u1", "GET /users/u1"]);
    expect(t.headers.map((h) => h.has(FRESH_READ_HEADER))).toEqual([false, false, false]);
  });

  it("reads again once the TTL has passed", async () => {
    let clock = 0;
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(1000), now: () => clock });
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    clock = 999;
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    clock = 1000;
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(2);
  });

  it("a write to a record drops that record and its collection's lists, and no other record", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    await c.fetch(`${API}/users/u1`); // 1
    await c.fetch(`${API}/users/u2`); // 2
    await c.fetch(`${API}/users?q=team`); // 3
    await c.fetch(`${API}/users-by-email?email=a`); // 4
    await c.fetch(`${API}/clients/search?q=x`); // 5
    await c.fetch(`${API}/users/u2/roles`, { method: "POST", body: "{}" }); // 6: not the record
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1); // another record: kept
    expect(await body(await c.fetch(`${API}/users/u2`))).toBe(7);
    expect(await body(await c.fetch(`${API}/users?q=team`))).toBe(8);
    expect(await body(await c.fetch(`${API}/users-by-email?email=a`))).toBe(9);
    expect(await body(await c.fetch(`${API}/clients/search?q=x`))).toBe(5); // another collection
    // A write answered with the record (PATCH): the answer is kept as its read; lists drop.
    await c.fetch(`${API}/users/u2`, { method: "PATCH", body: "{}" }); // 10
    expect(await body(await c.fetch(`${API}/users/u2`))).toBe(10);
    expect(await body(await c.fetch(`${API}/users?q=team`))).toBe(11);
    expect(t.seen.at(-1)).toBe("GET /users?q=team");
  });

  it("a write to a collection (a create) drops its lists and keeps its records", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    await c.fetch(`${API}/clients/team1`); // 1
    await c.fetch(`${API}/clients/search?q=x`); // 2
    await c.fetch(`${API}/clients?include_totals=true`); // 3
    await c.fetch(`${API}/client-grants?client_id=a`); // 4
    await c.fetch(`${API}/clients`, { method: "POST", body: "{}" }); // 5
    expect(await body(await c.fetch(`${API}/clients/team1`))).toBe(1);
    expect(await body(await c.fetch(`${API}/clients/search?q=x`))).toBe(6);
    expect(await body(await c.fetch(`${API}/clients?include_totals=true`))).toBe(7);
    expect(await body(await c.fetch(`${API}/client-grants?client_id=a`))).toBe(8);
  });

  it("past freshMs serves the kept answer while one background refresh reads it again; past maxAgeMs it waits", async () => {
    let clock = 0;
    const t = transport();
    const policy = {
      record: { freshMs: 1000, maxAgeMs: 3000 },
      list: { freshMs: 10, maxAgeMs: 10 },
    };
    const c = cachingFetch(t.fetch, { policy, now: () => clock });
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    clock = 1000;
    t.holdNext();
    const stale = await Promise.all([c.fetch(`${API}/users/u1`), c.fetch(`${API}/users/u1`)]);
    expect(await Promise.all(stale.map(body))).toEqual([1, 1]); // answered without waiting
    expect(t.seen).toEqual(["GET /users/u1", "GET /users/u1"]); // one refresh for both
    expect(t.headers[1]?.get(BACKGROUND_HEADER)).toBe("1");
    expect(t.headers[0]?.has(BACKGROUND_HEADER)).toBe(false);
    t.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(2); // the refresh's answer, kept at 1000
    expect(c.stats.stale).toBe(2);
    clock = 3999;
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(2); // stale, refreshing: 3
    await new Promise((r) => setTimeout(r, 0));
    clock = 3999 + 3000; // past maxAgeMs of the refresh kept at 3999
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(4); // waited for the tenant
    // Lists follow their own policy: 10 ms, no background window.
    expect(await body(await c.fetch(`${API}/users?q=a`))).toBe(5);
    clock += 10;
    expect(await body(await c.fetch(`${API}/users?q=a`))).toBe(6);
  });

  it("a read in flight while a write is sent is answered but not kept", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    t.holdNext();
    const before = c.fetch(`${API}/users/u1`);
    await new Promise((r) => setTimeout(r, 0));
    const write = c.fetch(`${API}/users/u1/roles`, { method: "POST", body: "{}" });
    t.release();
    expect(await body(await before)).toBe(1);
    await write;
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(3);
  });

  it("keeps a record's 404 (a deleted record stays deleted) and no other failed answer, and passes other requests (the token endpoint) through", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    expect((await c.fetch(`${API}/users/missing`)).status).toBe(404);
    expect((await c.fetch(`${API}/users/missing`)).status).toBe(404);
    expect(t.seen).toEqual(["GET /users/missing"]);
    expect((await c.fetch(`${API}/users?q=missing`)).status).toBe(404);
    expect((await c.fetch(`${API}/users?q=missing`)).status).toBe(404);
    await c.fetch("https://tenant.example/oauth/token", { method: "POST", body: "{}" });
    await c.fetch("https://tenant.example/oauth/token", { method: "POST", body: "{}" });
    expect(t.seen).toHaveLength(5);
    // A write to the record drops its 404 as any kept read.
    await c.fetch(`${API}/users/missing`, { method: "PATCH", body: "{}" });
    expect((await c.fetch(`${API}/users/missing`)).status).toBe(404);
    expect(t.seen.filter((r) => r === "GET /users/missing")).toHaveLength(2);
  });

  it("with a TTL of 0 every read is sent", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(0) });
    await Promise.all([c.fetch(`${API}/users/u1`), c.fetch(`${API}/users/u1`)]);
    expect(t.seen).toHaveLength(2);
  });

  it("inside withConsistentRecordReads every record read is sent and replaces the kept answer; lists keep theirs", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(1);
    expect(await body(await c.fetch(`${API}/clients/search?q=a`))).toBe(2);
    const [record, list] = await withConsistentRecordReads(async () => [
      await body(await c.fetch(`${API}/users/u1`)),
      await body(await c.fetch(`${API}/clients/search?q=a`)),
    ]);
    expect([record, list]).toEqual([3, 2]);
    expect(await body(await c.fetch(`${API}/users/u1`))).toBe(3);
  });

  it("a record read marked MAY_BE_OLD is served from the cache even inside withConsistentRecordReads, the mark taken off", async () => {
    const t = transport();
    const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
    expect(await body(await c.fetch(`${API}/clients/c1`))).toBe(1);
    const [kept, sent] = await withConsistentRecordReads(async () => [
      await body(await c.fetch(`${API}/clients/c1`, MAY_BE_OLD)),
      await body(await c.fetch(`${API}/clients/c2`, MAY_BE_OLD)), // not kept: read, and kept
    ]);
    expect([kept, sent]).toEqual([1, 2]);
    expect(t.seen).toEqual(["GET /clients/c1", "GET /clients/c2"]);
    expect(t.headers.every((h) => !h.has(MAY_BE_OLD_HEADER))).toBe(true);
  });

  describe("a write drops the team lists it can change, not every team's", () => {
    /** A transport that answers a user record in team A, counting the reads of each URL. */
    function teamTransport() {
      const reads = new Map<string, number>();
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const url = String(input);
        const method = init?.method ?? "GET";
        if (method === "GET") reads.set(url, (reads.get(url) ?? 0) + 1);
        const body = url.includes("/users/u1") ? { app_metadata: { teamId: "A" } } : [];
        return new Response(JSON.stringify(body), { status: 200 });
      };
      return { fetch, reads };
    }
    const list = (q: string) => `${API}/users?q=${encodeURIComponent(q)}`;
    const teamA = list('app_metadata.teamId:"A"');
    const teamB = list('app_metadata.teamId:"B"');
    const admins = list('app_metadata.permissions:"portal-admin"');

    async function readAll(c: ReturnType<typeof cachingFetch>) {
      for (const url of [`${API}/users/u1`, teamA, teamB, admins]) await c.fetch(url);
    }

    it("a user's write: the team it had and the team it moves to, and every list not by team", async () => {
      const t = teamTransport();
      const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
      await readAll(c);
      // The user's create record: no team in the body, so no team's list can change.
      await c.fetch(`${API}/users/u1`, {
        method: "PATCH",
        body: JSON.stringify({ app_metadata: { astral_create_k: { env: "sandbox" } } }),
      });
      await readAll(c);
      expect([teamA, teamB, admins].map((u) => t.reads.get(u))).toEqual([1, 1, 2]);
      // Removed from team A (teamId null): team A's lists.
      await c.fetch(`${API}/users/u1`, {
        method: "PATCH",
        body: JSON.stringify({ app_metadata: { teamId: null } }),
      });
      await readAll(c);
      expect([teamA, teamB, admins].map((u) => t.reads.get(u))).toEqual([2, 1, 3]);
      // Moved to team B: both teams' lists.
      await c.fetch(`${API}/users/u1`, {
        method: "PATCH",
        body: JSON.stringify({ app_metadata: { teamId: "B" } }),
      });
      await readAll(c);
      expect([teamA, teamB].map((u) => t.reads.get(u))).toEqual([3, 2]);
    });

    it("a credential created for a team drops that team's lists only", async () => {
      const t = teamTransport();
      const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
      const credentials = (team: string) =>
        `${API}/clients/search?q=${encodeURIComponent(`metadata.astral:"credential" AND metadata.teamId:"${team}"`)}`;
      for (const url of [credentials("A"), credentials("B")]) await c.fetch(url);
      await c.fetch(`${API}/clients`, {
        method: "POST",
        body: JSON.stringify({ name: "x", client_metadata: { teamId: "A" } }),
      });
      for (const url of [credentials("A"), credentials("B")]) await c.fetch(url);
      expect([credentials("A"), credentials("B")].map((u) => t.reads.get(u))).toEqual([2, 1]);
    });

    it("a write to a record it kept no read of drops every list (its team is not known)", async () => {
      const t = teamTransport();
      const c = cachingFetch(t.fetch, { policy: uniformPolicy(60_000) });
      await readAll(c);
      await c.fetch(`${API}/users/u2`, { method: "DELETE" });
      await readAll(c);
      expect([teamA, teamB, admins].map((u) => t.reads.get(u))).toEqual([2, 2, 2]);
    });
  });

  it("a list read within the search lag after a write that dropped it is kept only until the lag has passed", async () => {
    const t = transport();
    let clock = 0;
    const c = cachingFetch(t.fetch, {
      policy: uniformPolicy(60_000),
      now: () => clock,
      searchLagMs: 1_000,
    });
    const members = `${API}/users?q=${encodeURIComponent('app_metadata.teamId:"A"')}`;
    const other = `${API}/users?q=${encodeURIComponent('app_metadata.teamId:"B"')}`;
    await c.fetch(other);
    await c.fetch(`${API}/users/u2`); // kept: in no team before the write
    await c.fetch(`${API}/users/u2`, {
      method: "PATCH",
      body: JSON.stringify({ app_metadata: { teamId: "A" } }), // joins team A
    });
    clock = 100;
    expect(await body(await c.fetch(members))).toBe(4); // may predate the index's update
    clock = 900;
    expect(await body(await c.fetch(members))).toBe(4);
    clock = 1_001;
    expect(await body(await c.fetch(members))).toBe(5); // read again once it has caught up
    clock = 30_000;
    expect(await body(await c.fetch(members))).toBe(5); // then kept as any list
    expect(await body(await c.fetch(other))).toBe(1); // another team's list was never affected
  });
});
