/**
 * How the portal uses the Management API over HTTPS: calls per page bounded whatever the tenant's
 * size, a Free tenant's limit absorbed, 429s waited out, other failures named, audit lines without
 * secrets, one token per tenant (split from portal.integration.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actions } from "../lib/actions";
import type { Actor } from "../lib/domain/context";
import { indexCatchUp, startPaymentsTeam } from "./payments-team";
import { newKey, ok, type PortalHarness } from "./support";

let h: PortalHarness;
let alice: Actor;
let teamId: string;

beforeAll(async () => {
  ({ h, alice, teamId } = await startPaymentsTeam());
}, 120_000);
afterAll(async () => h?.close());

describe("Management API use", () => {
  it("the Management calls per page are bounded and do not grow with the tenant's size", async () => {
    const api = () =>
      (h.portal.tenants.production?.calls.api ?? 0) + (h.portal.tenants.sandbox?.calls.api ?? 0);
    const pages = async () => {
      let before = api();
      ok(await actions.getTeam.invoke(h.portal, alice, { teamId }));
      expect(api() - before).toBeLessThanOrEqual(1); // by id; kept a while per process
      before = api();
      ok(await actions.listMembers.invoke(h.portal, alice, { teamId }));
      ok(await actions.listCredentials.invoke(h.portal, alice, { teamId, environment: "sandbox" }));
      ok(await actions.adminListTeams.invoke(h.portal, h.admin, { take: 20 }));
      return api() - before;
    };
    const small = await pages();
    // Grow the tenant: 40 more users in another team, 40 more clients.
    const other = ok(await actions.adminCreateTeam.invoke(h.portal, h.admin, { name: "Filler" }));
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await h.newUser(`filler${i}`, { teamId: other.teamId });
        await h.root.sandbox.clients.create({ name: `filler-${i}`, app_type: "non_interactive" });
      }),
    );
    await indexCatchUp();
    const large = await pages();
    expect(large).toBe(small);
    // members (user search), credentials (client search), teams (client search)
    expect(small).toBe(3);
    // The viewer's own recent changes cost one GET each, at most 5.
    const before = api();
    ok(
      await actions.listCredentials.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        recent: ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
      }),
    );
    expect(api() - before).toBe(3);
    const tooMany = await actions.listCredentials.invoke(h.portal, alice, {
      teamId,
      environment: "sandbox",
      recent: Array.from({ length: 6 }, (_, i) => `${"c".repeat(31)}${i}`),
    });
    expect(tooMany.ok || tooMany.error.code).toBe("invalid_input");
  });

  it("under a Free tenant's limit (2 requests/s) every page and a create succeed: no 429 reaches the user", async () => {
    // Auth0 Free: the global 2 requests/s (bursts of 10) whose 429 carries headers that still
    // claim room (rule ratelimit.free-global). The burst is spent first, as other users would.
    const limited = () =>
      Object.values(h.portal.tenants).reduce((n, t) => n + (t?.calls.rateLimited ?? 0), 0);
    for (const tenant of ["production", "sandbox"] as const) {
      h.env.control.setRateLimitProfile(tenant, "free");
      await Promise.allSettled(
        Array.from({ length: 12 }, () => h.root[tenant].tenants.settings.get()),
      );
    }
    const limitedBefore = limited();
    try {
      // Each page as it loads: the actor lookup, then its reads in parallel.
      const page = async (reads: () => Promise<unknown>[]) => {
        await h.refresh(alice);
        return Promise.all(reads());
      };
      const results = [
        ...(await page(() => [
          actions.getTeam.invoke(h.portal, alice, { teamId }),
          actions.listMembers.invoke(h.portal, alice, { teamId }),
        ])),
        ...(await page(() => [
          actions.listCredentials.invoke(h.portal, alice, { teamId, environment: "sandbox" }),
        ])),
        ...(await page(() => [actions.adminListTeams.invoke(h.portal, h.admin, {})])),
        ...(await page(() => [
          actions.createCredential.invoke(h.portal, alice, {
            teamId,
            environment: "production",
            name: "free-tier",
            idempotencyKey: newKey(),
          }),
        ])),
      ] as { ok: boolean }[];
      expect(results.map((r) => r.ok)).toEqual(results.map(() => true));
      // The limit was met (429s were answered) and absorbed by the retries.
      expect(limited()).toBeGreaterThan(limitedBefore);
    } finally {
      for (const tenant of ["production", "sandbox"] as const)
        h.env.control.setRateLimitProfile(tenant, "test");
    }
  }, 60_000);

  it("on 429 waits as x-ratelimit-reset says and succeeds within bounded retries", async () => {
    h.env.control.setRateLimit("production", { limit: 3, windowSeconds: 1 });
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => actions.listMembers.invoke(h.portal, alice, { teamId })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      h.env.control.clear();
    }
  });

  it("other failures become one error with a code, a message and the request id", async () => {
    h.env.control.setFaults("production", [{ route: "GET /api/v2/users", status: 503 }]);
    try {
      const result = await actions.listMembers.invoke(h.portal, alice, { teamId }, "req-fixed-id");
      expect(result).toEqual({
        ok: false,
        error: {
          code: "upstream_error",
          message: expect.stringContaining("production tenant failed to search users (HTTP 503)"),
          requestId: "req-fixed-id",
        },
      });
    } finally {
      h.env.control.clear();
    }
  });

  it("every audit line names time, actor, action, target, outcome and request id, never a secret", async () => {
    // One create that fails at the tenant, audited as an error.
    h.env.control.setFaults("sandbox", [{ route: "POST /api/v2/clients", status: 503 }]);
    try {
      const failed = await actions.createCredential.invoke(h.portal, alice, {
        teamId,
        environment: "sandbox",
        name: "audited-failure",
        idempotencyKey: newKey(),
      });
      expect(failed.ok).toBe(false);
    } finally {
      h.env.control.clear();
    }
    const line = h.audit.find((a) => a.action === "createCredential" && a.outcome === "success");
    expect(line).toMatchObject({
      actor: { userId: expect.any(String), email: expect.any(String) },
      target: { teamId: expect.any(String), clientId: expect.any(String) },
      environment: expect.stringMatching(/sandbox|production/),
      requestId: expect.any(String),
      time: expect.any(String),
    });
    expect(h.audit.some((a) => a.action === "createCredential" && a.outcome === "error")).toBe(
      true,
    );
    expect(JSON.stringify(h.audit)).not.toMatch(/clientSecret|client_secret/);
  });

  it("one token per tenant for the whole file (the SDK's cache, one client per tenant)", () => {
    expect(h.portal.tenants.production?.calls.token).toBe(1);
    expect(h.portal.tenants.sandbox?.calls.token).toBe(1);
    expect(h.portal.tenants.production?.calls.api).toBeGreaterThan(20);
  });
});
