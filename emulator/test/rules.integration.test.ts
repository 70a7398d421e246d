/**
 * One check per row of the rules table (emulator/src/rules.ts), against a running tenant: each
 * fails if the tenant stops enforcing its rule. Fuller scenarios for some rows live in
 * client-search.integration.test.ts and conformance.unit.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES, type RuleId } from "../src/rules";
import { type SeededTenants, startSeededTenants } from "../test-support";
import { call, expectAuth0Error, managementToken, storedClientSecret } from "./helpers";
import { limitsChecks } from "./limits-checks";
import { plansChecks } from "./plans-checks";
import { privateKeyJwtChecks } from "./private-key-jwt-checks";
import { recordedChecks } from "./recorded-checks";
import { universalLoginChecks } from "./universal-login-checks";

const LAG_MS = 300;
const ROTATION_MS = 400;
let env: SeededTenants;
let base: string;
let token: string;

beforeAll(async () => {
  env = await startSeededTenants({ searchLagMs: LAG_MS, rotationDelayMs: ROTATION_MS });
  base = env.tenants.sandbox.baseUrl;
  token = await managementToken(env, "sandbox");
  // The seeded clients reach searches only after the lag: a search test run first, at once,
  // found none (2026-12-04).
  await sleep(LAG_MS + 50);
});
afterAll(() => env?.close());

/** `bearer` null: no Authorization header. */
const get = (p: string, bearer: string | null = token) =>
  call(base, "GET", `/api/v2${p}`, { token: bearer ?? undefined });
const q = (expr: string) => encodeURIComponent(expr);
const status400 = async (p: string) =>
  expect(expectAuth0Error(await get(p)).statusCode, p).toBe(400);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeClient(body: Record<string, unknown>) {
  const made = await call(base, "POST", "/api/v2/clients", { token, body });
  expect(made.status).toBe(201);
  return made.body as { client_id: string; client_secret: string };
}

const CHECKS: Record<RuleId, () => Promise<void>> = {
  ...privateKeyJwtChecks({
    base: () => base,
    token: () => token,
    issuer: () => env.tenants.sandbox.issuer,
    audience: () => env.seed.sandbox.exampleApi.identifier,
    storedSecret: (clientId) => storedClientSecret(env, "sandbox", clientId),
  }),
  ...universalLoginChecks({ base: () => base, token: () => token }),
  ...recordedChecks({ base: () => base, token: () => token }),
  ...plansChecks({ env: () => env, base: () => base, token: () => token }),
  ...limitsChecks({
    env: () => env,
    base: () => base,
    token: () => token,
    audience: () => env.seed.sandbox.exampleApi.identifier,
  }),
  "clients.list.q-permitted": async () => {
    await status400(`/clients?q=${q('name:"x"')}&take=5`);
    expect(
      (await get(`/clients?q=${q("client_grant.allow_any_organization:true")}&take=5`)).status,
    ).toBe(200);
  },
  "clients.list.q-alone": async () => {
    await status400(
      `/clients?q=${q("client_grant.allow_any_organization:true")}&take=5&is_global=false`,
    );
  },
  "clients.list.q-checkpoint": async () => {
    await status400(`/clients?q=${q("client_grant.allow_any_organization:true")}`);
  },
  "clients.search.filter": async () => {
    await status400(`/clients/search?q=${q("callbacks:x")}`);
    await status400(`/clients/search?q=${q("metadata.teamId:t*")}`);
    await status400(`/clients/search?parser=scim&q=${q('app_type co "spa"')}`);
    expect((await get(`/clients/search?parser=scim&q=${q('name co "Backend"')}`)).status).toBe(200);
  },
  "clients.search.max-operations": async () => {
    const six = Array.from({ length: 6 }, (_, i) => `metadata.k${i}:v`).join(" AND ");
    await status400(`/clients/search?q=${q(six)}`);
  },
  "clients.search.metadata-64": async () => {
    await status400(`/clients/search?q=${q(`metadata.k:${"v".repeat(65)}`)}`);
  },
  "clients.search.scopes": async () => {
    const keys = await managementToken(env, "sandbox", ["read:client_keys"]);
    expect((await get("/clients/search", keys)).status).toBe(403);
    const summary = await managementToken(env, "sandbox", ["read:client_summary"]);
    expect((await get("/clients/search", summary)).status).toBe(200);
  },
  "clients.search.hidden-fields": async () => {
    const all = (await get("/clients/search?take=100")).body as { clients: object[] };
    expect(all.clients.length).toBeGreaterThan(0);
    for (const c of all.clients) expect(c).not.toHaveProperty("client_secret");
  },
  "clients.search.cursor": async () => {
    await makeClient({ name: "cursor 1" });
    await makeClient({ name: "cursor 2" });
    await sleep(LAG_MS + 100);
    const first = (await get("/clients/search?take=1&include_totals=true")).body as Record<
      string,
      unknown
    >;
    expect(Object.keys(first).sort()).toEqual(["clients", "next"]);
    await status400("/clients/search?take=0");
  },
  "clients.metadata": async () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
    const made = await makeClient({ name: "meta" });
    const patched = await call(base, "PATCH", `/api/v2/clients/${made.client_id}`, {
      token,
      body: { client_metadata: many },
    });
    expect(expectAuth0Error(patched).statusCode).toBe(400);
  },
  "clients.rotate.delay": async () => {
    const made = await makeClient({ name: "rotating", app_type: "non_interactive" });
    const audience = env.seed.sandbox.exampleApi.identifier;
    await call(base, "POST", "/api/v2/client-grants", {
      token,
      body: { client_id: made.client_id, audience, scope: [] },
    });
    const rotated = await call(base, "POST", `/api/v2/clients/${made.client_id}/rotate-secret`, {
      token,
    });
    const fresh = (rotated.body as { client_secret: string }).client_secret;
    const tokenWith = (secret: string) =>
      fetch(`${base}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: made.client_id,
          client_secret: secret,
          audience,
        }),
      }).then((r) => r.status);
    // Neither works until the rotation takes effect: the old one is refused at once.
    expect(await tokenWith(fresh)).toBe(401);
    expect(await tokenWith(made.client_secret)).toBe(401);
    await sleep(ROTATION_MS + 100);
    expect(await tokenWith(fresh)).toBe(200);
    expect(await tokenWith(made.client_secret)).toBe(401);
  },
  "consistency.search-lag": async () => {
    // A lag long enough that a loaded machine still searches before it ends.
    env.control.setSearchLag(3000);
    try {
      await makeClient({ name: "lag row", client_metadata: { teamId: "lag-row" } });
      const search = () => get(`/clients/search?q=${q("metadata.teamId:lag-row")}`);
      expect(((await search()).body as { clients: unknown[] }).clients).toHaveLength(0);
      await sleep(3100);
      expect(((await search()).body as { clients: unknown[] }).clients).toHaveLength(1);
    } finally {
      env.control.setSearchLag(LAG_MS);
    }
  },
  "consistency.immediate-reads": async () => {
    const made = await makeClient({ name: "read at once" });
    expect((await get(`/clients/${made.client_id}`)).status).toBe(200);
  },
  "users.search.window": async () => {
    await status400("/users?per_page=50&page=20");
    expect((await get("/users?per_page=50&page=19")).status).toBe(200);
  },
  "users.search.case": async () => {
    const email = `Case-${Date.now()}@Example.com`;
    const made = await call(base, "POST", "/api/v2/users", {
      token,
      body: {
        connection: "Username-Password-Authentication",
        email,
        password: "Case-Pass-2026!",
        app_metadata: { teamId: "Team-Case" },
      },
    });
    expect(made.status).toBe(201);
    await sleep(LAG_MS + 100);
    const count = async (expr: string) =>
      ((await get(`/users?q=${q(expr)}`)).body as unknown[]).length;
    expect(await count('app_metadata.teamId:"Team-Case"')).toBe(1);
    expect(await count('app_metadata.teamId:"team-case"')).toBe(0);
    expect(await count(`email:"${email.toUpperCase()}"`)).toBe(1);
  },
  "users.search.metadata-no-wildcard": async () => {
    await status400(`/users?q=${q("app_metadata.teamId:Team*")}`);
    await status400(`/users?q=${q("user_metadata.n:[1 TO 5]")}`);
    expect((await get(`/users?q=${q('app_metadata.teamId:"Team*"')}`)).status).toBe(200);
  },
  "users.search.user-ids": async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const made = await call(base, "POST", "/api/v2/users", {
        token,
        body: {
          connection: "Username-Password-Authentication",
          email: `ids-${n}-${Date.now()}@example.com`,
          password: "Ids-Pass-2026!",
          app_metadata: { teamId: "Team-Ids" },
        },
      });
      expect(made.status).toBe(201);
      ids.push((made.body as { user_id: string }).user_id);
    }
    await sleep(LAG_MS + 100);
    const found = (
      await get(
        `/users?search_engine=v3&q=${q(`user_id:(${ids.map((id) => JSON.stringify(id)).join(" OR ")})`)}`,
      )
    ).body as Array<{ user_id: string }>;
    expect(found.map((u) => u.user_id).sort()).toEqual([...ids].sort());
    for (const user of found)
      expect(user).toEqual((await get(`/users/${encodeURIComponent(user.user_id)}`)).body);
  },
  "users.search.wildcards": async () => {
    await status400(`/users?q=${q("name:*sa")}`);
    expect((await get(`/users?q=${q("name:*usa")}`)).status).toBe(200);
  },
  "ratelimit.headers": async () => {
    for (const reply of [
      await get("/clients?per_page=1"),
      await get("/clients/nope"),
      await get("/clients", null),
    ]) {
      expect(reply.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
      expect(reply.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
      expect(Number(reply.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(
        Math.floor(Date.now() / 1000),
      );
    }
  },
  "ratelimit.profiles": async () => {
    env.control.setRateLimitProfile("sandbox", "free");
    try {
      // At once, so the bucket (10, refilled at 2/s) has no time to refill much.
      const replies = await Promise.all(Array.from({ length: 20 }, () => get("/tenants/settings")));
      const statuses = replies.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
      expect(statuses.filter((s) => s === 200).length).toBeLessThan(20);
      expect(statuses).toContain(429);
      const limited = replies.find((r) => r.status === 429) as (typeof replies)[number];
      expect(expectAuth0Error(limited).message).toBe("Global limit has been reached");
      // Self Service: 16 a second as published (and a bucket of 16).
      env.control.setRateLimitProfile("sandbox", "self-service");
      expect((await get("/tenants/settings")).headers.get("x-ratelimit-limit")).toBe("16");
    } finally {
      env.control.setRateLimitProfile("sandbox", "test");
    }
  },
  "ratelimit.free-global": async () => {
    env.control.setRateLimitProfile("sandbox", "free");
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, () => get("/tenants/settings")));
      const limited = replies.filter((r) => r.status === 429);
      // The global burst of 10 (one or two more may have refilled while the 20 were served).
      expect(replies.length - limited.length).toBeLessThanOrEqual(12);
      expect(limited.length).toBeGreaterThan(0);
      for (const reply of limited) {
        expect(expectAuth0Error(reply).message).toBe("Global limit has been reached");
        // The headers describe the other bucket, which has room: a retry that reads only them
        // would retry at once.
        expect(Number(reply.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);
      }
    } finally {
      env.control.setRateLimitProfile("sandbox", "test");
    }
  },
  "order.auth-before-404": async () => {
    expect((await get("/roles", null)).status).toBe(401);
    const narrow = await managementToken(env, "sandbox", ["read:clients"]);
    const refused = await get("/roles", narrow);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      errorCode: "insufficient_scope",
      message: expect.stringMatching(/^Insufficient scope, expected any of: /),
    });
    expect(expectAuth0Error(await get("/roles")).statusCode).toBe(404);
    expect((await get("/not-in-auth0s-document", null)).status).toBe(404);
  },
  "conformance.documented": async () => {
    // The tenant names the operation it matched; unknown paths match none (see the unit test).
    expect((await get("/not-in-auth0s-document")).status).toBe(404);
  },
  "conformance.accepted": async () => {
    await status400("/clients?per_page=101");
  },
};

describe("rules table", () => {
  it("has a check for every row", () => {
    expect(Object.keys(CHECKS).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
  for (const rule of RULES) it(`${rule.id}: ${rule.rule}`, () => CHECKS[rule.id]());
});
