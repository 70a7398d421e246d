/**
 * The tenant's token bucket at the level calls are made (Tenant.run through the SDK): calls past
 * the plan's rate wait for a token instead of reaching the tenant, and one that would wait past
 * the bound is refused with the "rate limiting" error, without being sent.
 */
import { describe, expect, it, vi } from "vitest";
import { PortalError } from "../lib/errors";
import { READ_POLICIES, taskRateFrom, tenantPlanFrom } from "../lib/management/rate-plan";
import {
  BACKGROUND_HEADER,
  DUE_REFRESH,
  withConsistentRecordReads,
} from "../lib/management/read-cache";
import { withRequestStart } from "../lib/management/read-markers";
import { Tenant } from "../lib/management/tenant";

const ACCESS = {
  environment: "production" as const,
  domain: "tenant.example",
  clientId: "id",
  clientSecret: "secret",
};

/** A tenant that answers every call at once and notes when each API call arrived. */
function fakeTenant() {
  const arrivals: { path: string; at: number }[] = [];
  const start = Date.now();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
    );
    if (url.pathname === "/oauth/token")
      return Response.json({ access_token: "t", token_type: "Bearer", expires_in: 86_400 });
    arrivals.push({ path: `${init?.method ?? "GET"} ${url.pathname}`, at: Date.now() - start });
    return Response.json({ user_id: url.pathname.split("/").pop() });
  };
  return { fetch, arrivals };
}

/** A Tenant over the fake, uncached, shaped to `rate` with calls waiting at most `queueWaitMs`. */
const shapedTenant = (
  fake: ReturnType<typeof fakeTenant>,
  rate: { perSecond: number; burst: number },
  queueWaitMs: number,
) => new Tenant(ACCESS, { fetch: fake.fetch, readCacheTtlMs: 0, rate, queueWaitMs });

const readUser = (tenant: Tenant, id: string) =>
  tenant.run("read a user", (c) => c.users.get(id), { safeToRepeat: true });

describe("calls shaped to the plan's rate", () => {
  it("queue for a token instead of reaching the tenant faster than the rate", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 10, burst: 2 }, 5_000);
    await Promise.all(["a", "b", "c", "d", "e"].map((id) => readUser(tenant, id)));
    const times = fake.arrivals.map((a) => a.at);
    expect(times).toHaveLength(5);
    // Two at once (the burst), then one per 100 ms: the fifth about 300 ms after the first
    // (without the bucket all five arrive within a few ms). 250: the first arrival is noted late
    // when the event loop is busy (a loaded machine: 281 ms seen), the bucket's clock is not.
    expect((times[4] ?? 0) - (times[0] ?? Number.NaN)).toBeGreaterThanOrEqual(250);
    expect(tenant.calls.rateLimited).toBe(0);
  });

  it("a call that would wait past the bound is refused with the rate-limiting error and never sent", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 2, burst: 1 }, 700);
    const results = await Promise.allSettled(["a", "b", "c"].map((id) => readUser(tenant, id)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const error = (results[2] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(PortalError);
    expect((error as PortalError).code).toBe("rate_limited");
    expect((error as PortalError).message).toBe(
      "The production tenant is rate limiting the portal; try again in a minute.",
    );
    expect(fake.arrivals.map((a) => a.path)).toEqual([
      "GET /api/v2/users/a",
      "GET /api/v2/users/b",
    ]);
  });

  it("a refusal is logged: which tenant, which call (ids left out), who waited, the request id", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 2, burst: 1 }, 100);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const refused = await Promise.allSettled(
        ["a", "auth0|b"].map((id) =>
          tenant.run("read a user", (c) => c.users.get(id), { safeToRepeat: true, requestId: id }),
        ),
      );
      expect(refused.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
      expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
        {
          type: "rate-budget",
          tenant: "production",
          request: "GET /api/v2/users/{id}",
          priority: "interactive",
          requestId: "auth0|b",
        },
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("priorities", () => {
  it("writes go first; a server action's reads and page views' reads in the order their requests began", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 20, burst: 1 }, 5_000);
    await readUser(tenant, "warm"); // the token, and the burst spent
    const now = Date.now();
    const view = (id: string, at: number) => withRequestStart(at, () => readUser(tenant, id));
    const views = [view("v1", now - 10), view("v2", now + 10)];
    const action = withRequestStart(now, () =>
      withConsistentRecordReads(() => readUser(tenant, "actor")),
    );
    const write = tenant.run("write a user", (c) => c.users.update("w", {}), {
      safeToRepeat: false,
    });
    await Promise.all([...views, action, write]);
    expect(fake.arrivals.map((a) => a.path.replace(/^\w+ \/api\/v2\/users\//, ""))).toEqual([
      "warm",
      "w",
      "v1",
      "actor",
      "v2",
    ]);
  });
});

describe("requests in the order they began", () => {
  it("a page view's later call goes before the calls of views begun after it (withRequestStart)", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 20, burst: 1 }, 5_000);
    await readUser(tenant, "warm");
    const now = Date.now();
    const later = withRequestStart(now, () => readUser(tenant, "later-view"));
    const earlier = withRequestStart(now - 1_000, () => readUser(tenant, "earlier-view"));
    await Promise.all([later, earlier]);
    expect(fake.arrivals.map((a) => a.path.replace("GET /api/v2/users/", ""))).toEqual([
      "warm",
      "earlier-view",
      "later-view",
    ]);
  });
});

describe("refreshes' priorities", () => {
  it("a refresh of a record about to end goes with the changes, ahead of page views; other refreshes after them", async () => {
    const fake = fakeTenant();
    const tenant = shapedTenant(fake, { perSecond: 20, burst: 1 }, 5_000);
    await readUser(tenant, "warm");
    const marked = (id: string, mark: string) =>
      tenant.run(
        "read a user",
        (c) => c.users.get(id, undefined, { headers: { [BACKGROUND_HEADER]: mark } }),
        {
          safeToRepeat: true,
        },
      );
    const calls = [marked("early", "1"), readUser(tenant, "view"), marked("due", DUE_REFRESH)];
    await Promise.all(calls);
    expect(fake.arrivals.map((a) => a.path.replace("GET /api/v2/users/", ""))).toEqual([
      "warm",
      "due",
      "view",
      "early",
    ]);
  });
});

describe("a task's share of a tenant's plan limit (PRODUCTION_/SANDBOX_AUTH0_PLAN, _PORTAL_TASKS)", () => {
  it("defaults to Free split over two tasks, the safe side, less a margin", () => {
    // Less a margin for the calls' jitter on the way: 10 % of the rate, one of the burst.
    expect(taskRateFrom({}, "production")).toEqual({ perSecond: 0.9, burst: 4 });
    expect(taskRateFrom({ PRODUCTION_PORTAL_TASKS: "1" }, "production")).toEqual({
      perSecond: 1.8,
      burst: 9,
    });
    expect(
      taskRateFrom({ SANDBOX_AUTH0_PLAN: "essentials", SANDBOX_PORTAL_TASKS: "4" }, "sandbox"),
    ).toEqual({ perSecond: 3.6, burst: 3 });
  });

  it("reads each tenant's own values", () => {
    const env = {
      PRODUCTION_AUTH0_PLAN: "professional",
      PRODUCTION_PORTAL_TASKS: "2",
      SANDBOX_AUTH0_PLAN: "free",
      SANDBOX_PORTAL_TASKS: "4",
    };
    expect(taskRateFrom(env, "production")).toEqual({ perSecond: 7.2, burst: 7 });
    expect(taskRateFrom(env, "sandbox")).toEqual({ perSecond: 0.45, burst: 2 });
  });

  it("keeps records 2 minutes on Free and 1 minute on the 16/s plans: the revocation bound across tasks", () => {
    const bound = (plan: string | undefined) =>
      READ_POLICIES[tenantPlanFrom({ PRODUCTION_AUTH0_PLAN: plan }, "production")].record.maxAgeMs;
    expect([undefined, "free", "essentials", "professional", "enterprise"].map(bound)).toEqual([
      120_000, 120_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("names a bad value", () => {
    expect(() => taskRateFrom({ PRODUCTION_AUTH0_PLAN: "pro" }, "production")).toThrow(
      'PRODUCTION_AUTH0_PLAN must be one of free, essentials, professional, enterprise, not "pro"',
    );
    expect(() => taskRateFrom({ SANDBOX_PORTAL_TASKS: "0" }, "sandbox")).toThrow(
      /SANDBOX_PORTAL_TASKS must be how many portal tasks share the sandbox tenant/,
    );
  });
});
