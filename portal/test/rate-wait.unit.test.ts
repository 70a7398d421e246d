/**
 * The create form's "Waiting for the production tenant's rate limit…" (lib/domain/rate-wait.ts):
 * read from the tenants' token buckets, shown only while a call would wait.
 */
import { PORTAL_ENV } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { rateWaitMessage, rateWaits } from "../lib/domain/rate-wait";
import { createPortal } from "../lib/portal";

function portalOn(plan: string) {
  const env: Record<string, string> = {
    [PORTAL_ENV.login.sessionSecret]: "test-session-secret-0123456789abcdef0123456789",
    PORTAL_AUTH0_PLAN: plan,
    PORTAL_TASKS: "1",
  };
  for (const environment of ["production", "sandbox"] as const) {
    const names = PORTAL_ENV.management[environment];
    env[names.domain] = `${environment}.tenant.example`;
    env[names.clientId] = "id";
    env[names.clientSecret] = "secret";
  }
  return createPortal(env);
}

describe("the create form's rate-limit line", () => {
  it("says nothing while calls go at once, and names the tenant whose calls wait", async () => {
    const portal = portalOn("free");
    expect(rateWaits(portal)).toEqual([
      { environment: "production", waitMs: 0 },
      { environment: "sandbox", waitMs: 0 },
    ]);
    expect(rateWaitMessage(rateWaits(portal))).toBeUndefined();
    // Free: a burst of 10, then 2/s. Twelve calls taken in production: the next waits 1.5 s.
    const bucket = portal.tenants.production?.bucket;
    if (!bucket) throw new Error("the production tenant is not shaped");
    const taken = Array.from({ length: 12 }, () => bucket.take("write"));
    expect(rateWaits(portal).find((w) => w.environment === "production")?.waitMs).toBe(1500);
    expect(rateWaitMessage(rateWaits(portal))).toBe(
      "Waiting for the production tenant's rate limit (about 2 s)…",
    );
    await Promise.all(taken);
  });

  it("rounds a short wait up to a second and picks the longest", () => {
    expect(
      rateWaitMessage([
        { environment: "production", waitMs: 200 },
        { environment: "sandbox", waitMs: 0 },
      ]),
    ).toBe("Waiting for the production tenant's rate limit (about 1 s)…");
    expect(
      rateWaitMessage([
        { environment: "production", waitMs: 1000 },
        { environment: "sandbox", waitMs: 4400 },
      ]),
    ).toBe("Waiting for the sandbox tenant's rate limit (about 4 s)…");
  });
});
