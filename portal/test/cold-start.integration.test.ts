/**
 * A portal task that starts cold on Free (a deploy, a scale-out) while many users keep browsing:
 * every next view needs its actor's record. Read one by one, 24 of them are 8 s of a task's
 * 1.8 calls/s past its burst, and the last views ran into the rate-limiting error; once the
 * budget is busy, the rest are read by one user search (lib/management/cold-user-reads.ts)
 * against the local Free tenant, as the search lags: each record as its tenant has it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../lib/domain/actor";
import { taskRateFrom } from "../lib/management/rate-plan";
import { FREE_READ_POLICY, type ReadKind, type ReadPolicy } from "../lib/management/read-policy";
import {
  onFreeLimits,
  type PortalHarness,
  sleep,
  startPortalHarness,
  TEST_SEARCH_LAG_MS,
} from "./support";

const USERS = 24;
let h: PortalHarness;
const people: Array<{ userId: string; teamId: string }> = [];

beforeAll(async () => {
  h = await startPortalHarness();
  for (let i = 0; i < USERS; i++) {
    const teamId = `team-${i % 3}`;
    const user = await h.root.production.users.create({
      connection: "Username-Password-Authentication",
      email: `cold-${i}-${Date.now()}@example.test`,
      password: "Test-Password-2026!",
      email_verified: true,
      app_metadata: { teamId },
    });
    people.push({ userId: user.user_id as string, teamId });
  }
  await sleep(TEST_SEARCH_LAG_MS + 300); // in the search index
}, 120_000);
afterAll(async () => h?.close());

describe("a cold start on Free", () => {
  it("many users' actor lookups at once: the burst by id, the rest by one search, all current, none refused", async () => {
    await onFreeLimits(h, async () => {
      const cold = freeTask(FREE_READ_POLICY);
      const tenant = cold.tenants.production;
      const actors = await Promise.all(
        people.map((p) => actorFor(cold, p.userId, undefined, "cold-start")),
      );
      expect(actors.map((a) => a.teamId)).toEqual(people.map((p) => p.teamId));
      const ops = Object.fromEntries(tenant?.operations ?? []);
      const byId = Object.entries(ops)
        .filter(([op]) => /^GET \/api\/v2\/users\/[^/]+$/.test(op))
        .reduce((n, [, c]) => n + c, 0);
      expect(ops["GET /api/v2/users"]).toBeGreaterThanOrEqual(1);
      expect(byId).toBeLessThan(USERS / 2);
      expect(tenant?.calls.rateLimited).toBe(0);
    });
  }, 60_000);

  it("records in use are read again by one search before they expire, each as its tenant has it", async () => {
    // Lifetimes as short as a search read still leaves 30 s of (read-policy.ts COLD_MIN_USE_MS):
    // due by search after the lag and a quarter of the lifetime, 9.5 s here.
    const policy = { record: { freshMs: 30_000, maxAgeMs: 32_000 }, list: FREE_READ_POLICY.list };
    const task = freeTask(policy);
    const tenant = task.tenants.production;
    const few = people.slice(0, 5);
    const read = () =>
      Promise.all(few.map((p) => actorFor(task, p.userId, undefined, "refresh-by-search")));
    await read(); // by id, one each (the budget has room: not a cold batch)
    // Moved to another team elsewhere (the dashboard, another task): the search brings it.
    await h.root.production.users.update(few[0]?.userId as string, {
      app_metadata: { teamId: "team-moved" },
    });
    const due = TEST_SEARCH_LAG_MS + policy.record.maxAgeMs / 4;
    await sleep(due - 5_000);
    expect((await read())[0]?.teamId).toBe(few[0]?.teamId); // in use; still the kept record
    const byIdBefore = byIdReads(tenant?.operations);
    expect(byIdBefore).toBe(few.length);
    // The search's answer is kept when it arrives, a moment after it is counted as sent.
    await expect
      .poll(async () => (await read())[0]?.teamId, { timeout: 15_000 })
      .toBe("team-moved");
    const actors = await read();
    expect(Object.fromEntries(tenant?.operations ?? [])["GET /api/v2/users"]).toBe(1);
    expect(actors.slice(1).map((a) => a.teamId)).toEqual(few.slice(1).map((p) => p.teamId));
    expect(byIdReads(tenant?.operations)).toBe(byIdBefore); // none read by id again
    expect(tenant?.readCache.early).toBeGreaterThanOrEqual(few.length);
    expect(tenant?.calls.rateLimited).toBe(0);
  }, 60_000);
});

/** A portal task of its own (its own read cache) at one Free task's rate, with `readPolicy`. */
function freeTask(readPolicy: Record<ReadKind, ReadPolicy>) {
  return h.portalWith(
    { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
    {
      readCacheTtlMs: undefined,
      readPolicy,
      rate: taskRateFrom(
        { PRODUCTION_AUTH0_PLAN: "free", PRODUCTION_PORTAL_TASKS: "1" },
        "production",
      ),
    },
  );
}

function byIdReads(operations: ReadonlyMap<string, number> | undefined): number {
  return [...(operations ?? [])]
    .filter(([op]) => /^GET \/api\/v2\/users\/[^/]+$/.test(op))
    .reduce((n, [, c]) => n + c, 0);
}
