/**
 * The token bucket against the local tenants on Auth0's Free limit (2 requests/s, bursts of
 * 10; rule `ratelimit.free-global`), one task shaped to it less its margin: users' pages that together ask for more than the burst
 * queue in the portal and all succeed, and the tenant answers no 429 at all (without the bucket
 * it answers several, which the retries absorb at the cost of seconds and of the tenant's
 * budget).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { taskRateFrom } from "../lib/management/rate-plan";
import { ok, onFreeLimits, type PortalHarness, startPortalHarness } from "./support";

let h: PortalHarness;
const users: Actor[] = [];
let teamId: string;

beforeAll(async () => {
  // One task on Free, as the portal derives it from PRODUCTION_AUTH0_PLAN and PRODUCTION_PORTAL_TASKS.
  h = await startPortalHarness(undefined, {
    rate: taskRateFrom(
      { PRODUCTION_AUTH0_PLAN: "free", PRODUCTION_PORTAL_TASKS: "1" },
      "production",
    ),
  });
  const owner = await h.newUser("owner");
  teamId = ok(await actions.createTeam.invoke(h.portal, owner, { name: "Shaped" })).teamId;
  users.push(await h.refresh(owner));
  for (let i = 0; i < 4; i++) users.push(await h.newUser(`member${i}`, { teamId }));
}, 120_000);
afterAll(async () => h?.close());

describe("calls shaped to the Free plan's limit", () => {
  it("five users' pages at once (15 calls, burst 10) all succeed and the tenant answers no 429", async () => {
    // The portal's bucket and the tenant's start full: both refill at 2/s, 10 at most.
    await onFreeLimits(h, async () => {
      const before = h.portal.tenants.production?.calls.rateLimited ?? 0;
      const apiBefore = h.portal.tenants.production?.calls.api ?? 0;
      const startedAt = Date.now();
      const pages = await Promise.all(
        users.map(async (user) => {
          const actor = await h.refresh(user);
          return Promise.all([
            actions.getTeam.invoke(h.portal, actor, { teamId }),
            actions.listMembers.invoke(h.portal, actor, { teamId }),
          ]);
        }),
      );
      expect(pages.flat().map((r) => r.ok)).toEqual(pages.flat().map(() => true));
      const calls = (h.portal.tenants.production?.calls.api ?? 0) - apiBefore;
      expect(calls).toBeGreaterThan(10); // more than the tenant's burst: some had to queue
      expect((h.portal.tenants.production?.calls.rateLimited ?? 0) - before).toBe(0);
      // Queued, not refused or retried: the calls past the portal's burst of 9 took 1/1.8 s each.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(((calls - 9) * 1000) / 1.8 - 250);
    });
  }, 60_000);
});
