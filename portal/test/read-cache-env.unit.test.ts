/**
 * `ASTRAL_READ_CACHE_TTL_MS`: the switch the load benchmark runs the production build with to
 * measure it without the read cache (0) beside it with (unset: the default TTL).
 */
import { PORTAL_ENV } from "@astral/contract";
import { describe, expect, it } from "vitest";
import { createPortal, READ_CACHE_TTL_ENV } from "../lib/portal";

const DOMAIN = "tenant.example";

function portalWith(extra: Record<string, string>) {
  const sent: string[] = [];
  // Answers the token request and every Management read, counting the reads that were sent.
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes("/oauth/token"))
      return Response.json({ access_token: "t", token_type: "Bearer", expires_in: 3600 });
    sent.push(new URL(url).pathname);
    return Response.json({ user_id: "auth0|u1" });
  };
  const names = PORTAL_ENV.management.production;
  const env = {
    [PORTAL_ENV.login.sessionSecret]: "read-cache-env-secret-0123456789abcdef0123",
    [names.domain]: DOMAIN,
    [names.clientId]: "id",
    [names.clientSecret]: "secret",
    ...extra,
  };
  const tenant = createPortal(env, { tenant: { fetch } }).tenants.production;
  if (!tenant) throw new Error("no production tenant");
  const readTwice = async () => {
    for (let i = 0; i < 2; i++) await tenant.client.users.get("auth0|u1");
    return sent.length;
  };
  return { readTwice, tenant };
}

describe(`${READ_CACHE_TTL_ENV}`, () => {
  it("unset: a repeated read is served from the cache", async () => {
    expect(await portalWith({}).readTwice()).toBe(1);
  });

  it("0 turns the read cache off: each read is sent", async () => {
    expect(await portalWith({ [READ_CACHE_TTL_ENV]: "0" }).readTwice()).toBe(2);
  });

  it("refuses a value that is not a whole number of milliseconds, naming the variable", () => {
    expect(() => portalWith({ [READ_CACHE_TTL_ENV]: "5s" })).toThrow(
      `${READ_CACHE_TTL_ENV} must be a whole number of milliseconds, not "5s"`,
    );
  });
});

describe("the tenant's plan sets how long records are kept: the revocation bound across tasks", () => {
  it("2 minutes on Free (and when no plan is stated), 1 minute on the 16/s plans", () => {
    const bound = (plan?: string) =>
      portalWith(plan ? { [PORTAL_ENV.rate.production.plan]: plan } : {}).tenant.recordMaxAgeMs;
    expect([undefined, "free", "essentials", "professional", "enterprise"].map(bound)).toEqual([
      120_000, 120_000, 60_000, 60_000, 60_000,
    ]);
  });
});
