/**
 * The create form's "Waiting for the production tenant's rate limit…" (lib/rate-wait-message.ts, lib/domain/rate-wait.ts):
 * read from the tenants' token buckets, shown only while a call would wait.
 */
import { PORTAL_ENV } from "@astral/contract";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { rateWaits } from "../lib/domain/rate-wait";
import { createPortal } from "../lib/portal";
import { rateWaitMessage } from "../lib/rate-wait-message";

function portalOn(plan: string) {
  const env: Record<string, string> = {
    [PORTAL_ENV.login.sessionSecret]: "test-session-secret-0123456789abcdef0123456789",
  };
  for (const environment of ["production", "sandbox"] as const) {
    const names = PORTAL_ENV.management[environment];
    env[names.domain] = `${environment}.tenant.example`;
    env[PORTAL_ENV.rate[environment].plan] = plan;
    env[PORTAL_ENV.rate[environment].tasks] = "1";
    env[names.clientId] = "id";
    env[names.clientSecret] = "secret";
  }
  return createPortal(env);
}

describe("the create form's rate-limit line", () => {
  it("says nothing while calls go at once, and names the tenant whose calls wait", async () => {
    vi.useFakeTimers({ now: 0 });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const portal = portalOn("free");
    expect(rateWaits(portal)).toEqual([
      { environment: "production", waitMs: 0 },
      { environment: "sandbox", waitMs: 0 },
    ]);
    expect(rateWaitMessage(rateWaits(portal))).toBeUndefined();
    // Free for one task: a burst of 9, then 1.8/s (rate-plan.ts). Twelve calls taken in
    // production: three queue, and the next waits for four tokens, 4 / 1.8 s.
    const bucket = portal.tenants.production?.bucket;
    if (!bucket) throw new Error("the production tenant is not shaped");
    const taken = Array.from({ length: 12 }, () => bucket.take("write"));
    expect(rateWaits(portal).find((w) => w.environment === "production")?.waitMs).toBe(2223);
    expect(rateWaitMessage(rateWaits(portal))).toBe(
      "Waiting for the production tenant's rate limit (about 2 s)…",
    );
    await vi.advanceTimersByTimeAsync(2000);
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

describe("GET /api/rate-wait", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("answers 401 without a session, before reading any tenant", async () => {
    for (const [name, value] of Object.entries({
      AUTH0_DOMAIN: "example.eu.auth0.com",
      AUTH0_CLIENT_ID: "client-id",
      AUTH0_CLIENT_SECRET: "client-secret",
      AUTH0_SECRET: "unit-session-secret-0123456789abcdef0123456789",
      APP_BASE_URL: "https://portal.example.com",
    }))
      vi.stubEnv(name, value);
    const { GET } = await import("../app/api/rate-wait/route");
    const response = await GET(new NextRequest("https://portal.example.com/api/rate-wait"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: "unauthenticated", message: "Sign in first." });
  });
});
