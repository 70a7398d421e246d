/**
 * A portal task that starts reads its pages' first reads ahead of them (domain/prewarm.ts): over
 * HTTPS against the local tenants, a new task (empty cache, shaped to Free's limit) then serves
 * each member's team page and credential pages without a Management call; and it waits for the
 * budget's idle moments, giving up at its deadline rather than queueing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_TAKE } from "../lib/action-schemas";
import { actions } from "../lib/actions";
import { actorFor } from "../lib/domain/actor";
import type { Actor, Portal } from "../lib/domain/context";
import { prewarm } from "../lib/domain/prewarm";
import { taskRateFrom } from "../lib/management/rate-plan";
import { ok, type PortalHarness, sleep, startPortalHarness, TEST_SEARCH_LAG_MS } from "./support";

let h: PortalHarness;
const owners: Array<{ actor: Actor; teamId: string; name: string }> = [];

/** A new portal task over the same tenants: its own empty read cache, shaped to Free. */
const newTask = (): Portal =>
  h.portalWith(
    { production: h.env.seed.production.backend, sandbox: h.env.seed.sandbox.backend },
    {
      readCacheTtlMs: undefined,
      rate: taskRateFrom(
        { PRODUCTION_AUTH0_PLAN: "free", PRODUCTION_PORTAL_TASKS: "1" },
        "production",
      ),
    },
  );
const calls = (p: Portal) => Object.values(p.tenants).reduce((n, t) => n + (t?.calls.api ?? 0), 0);

beforeAll(async () => {
  h = await startPortalHarness();
  for (const name of ["Warm A", "Warm B"]) {
    const owner = await h.newUser(name.replace(" ", "-"));
    const { teamId } = ok(await actions.createTeam.invoke(h.portal, owner, { name }));
    const actor = await h.refresh(owner);
    ok(
      await actions.createCredential.invoke(h.portal, actor, {
        teamId,
        environment: "sandbox",
        name: `${name} key`,
        idempotencyKey: randomUUID(),
      }),
    );
    owners.push({ actor, teamId, name });
  }
  await sleep(TEST_SEARCH_LAG_MS + 100); // the searches list them
}, 120_000);
afterAll(async () => h?.close());

describe("a task's reads ahead of its first page views", () => {
  it("fills the cache with the pages' own reads: each team's page and credential pages then cost no call", async () => {
    const task = newTask();
    const done = await prewarm(task);
    expect(done).toMatchObject({ failed: 0, cut: false });
    expect(done.teams).toBeGreaterThanOrEqual(owners.length);
    const before = calls(task);
    for (const { actor, teamId, name } of owners) {
      // As app/page.tsx and app/credentials/[environment]/page.tsx ask (no recent changes).
      ok(await actions.getTeam.invoke(task, actor, { teamId }));
      const page = { page: 0, perPage: 20, recent: [] };
      ok(await actions.listMembers.invoke(task, actor, { teamId, ...page }));
      const list = (environment: "sandbox" | "production") =>
        actions.listCredentials.invoke(task, actor, {
          teamId,
          environment,
          take: PAGE_TAKE,
          recent: [],
        });
      expect(ok(await list("sandbox")).items.map((c) => c.name)).toEqual([`${name} key`]);
      expect(ok(await list("production")).items).toEqual([]);
    }
    // And the admin pages' first reads (app/admin/page.tsx, app/admin/admins/page.tsx).
    ok(await actions.adminListTeams.invoke(task, h.admin, { take: 20, counts: false }));
    ok(await actions.adminListAdmins.invoke(task, h.admin, { page: 0, perPage: 20 }));
    ok(await actions.adminTenantUsage.invoke(task, h.admin, {}));
    expect(calls(task) - before).toBe(0);
  }, 60_000);

  it("keeps the records of the members and admins it listed: each one's first view reads no actor", async () => {
    const task = newTask();
    expect(await prewarm(task)).toMatchObject({ failed: 0, cut: false });
    const before = calls(task);
    for (const { actor, teamId } of owners)
      expect(await actorFor(task, actor.userId, undefined, "t")).toMatchObject({
        userId: actor.userId,
        teamId,
      });
    const admin = await actorFor(task, h.admin.userId, undefined, "t");
    expect(admin.permissions).toContain("portal-admin");
    expect(calls(task) - before).toBe(0);
    // A user it did not list is read as before: one call.
    const stranger = await h.newUser("Warm-stranger");
    await actorFor(task, stranger.userId, undefined, "t");
    expect(calls(task) - before).toBe(1);
  }, 60_000);

  it("reads nothing while the budget has no room to spare, and stops at its deadline", async () => {
    const task = newTask();
    task.tenants.production?.bucket?.drain();
    const done = await prewarm(task, { until: Date.now() + 300, tickMs: 50 });
    expect(done).toEqual({ teams: 0, reads: 0, failed: 0, cut: true });
    expect(calls(task)).toBe(0);
  });
});
