/**
 * One check per row of emulator/src/rules-limits.ts (client authentication by secret, client
 * grant scopes, entity limits, prompts), for emulator/test/rules.integration.test.ts. Each fails
 * if the tenant stops enforcing its rule.
 */
import { expect } from "vitest";
import type { LIMITS_RULES } from "../src/rules-limits";
import type { SeededTenants } from "../test-support";
import { call, expectAuth0Error, managementToken } from "./helpers";

type Id = (typeof LIMITS_RULES)[number]["id"];
const UNAUTHORIZED = { error: "access_denied", error_description: "Unauthorized" };

export function limitsChecks(t: {
  env: () => SeededTenants;
  base: () => string;
  token: () => string;
  audience: () => string;
}): Record<Id, () => Promise<void>> {
  const api = (method: string, path: string, body?: unknown, token = t.token()) =>
    call(t.base(), method, `/api/v2${path}`, { token, body });
  /** A client with a grant (no scopes) on the example API. */
  const granted = async (body: Record<string, unknown>) => {
    const made = await api("POST", "/clients", { name: "rules auth method", ...body });
    expect(made.status).toBe(201);
    const client = made.body as { client_id: string; client_secret: string };
    const grant = await api("POST", "/client-grants", {
      client_id: client.client_id,
      audience: t.audience(),
      scope: [],
    });
    expect(grant.status).toBe(201);
    return client;
  };
  /** A token request; `basic` sends the id and secret in HTTP Basic. */
  const tokenRequest = async (
    params: Record<string, string>,
    basic?: { id: string; secret: string },
  ) => {
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
    };
    if (basic)
      headers.authorization = `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString("base64")}`;
    const res = await fetch(`${t.base()}/oauth/token`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ audience: t.audience(), ...params }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const CC = { grant_type: "client_credentials" };
  const m2m = (method: string) => ({
    app_type: "non_interactive",
    grant_types: ["client_credentials"],
    token_endpoint_auth_method: method,
  });

  return {
    "token.auth-method.post": async () => {
      const c = await granted(m2m("client_secret_post"));
      const basic = await tokenRequest(CC, { id: c.client_id, secret: c.client_secret });
      expect(basic).toEqual({ status: 401, body: UNAUTHORIZED });
      const post = await tokenRequest({
        ...CC,
        client_id: c.client_id,
        client_secret: c.client_secret,
      });
      expect(post.status).toBe(200);
    },
    "token.auth-method.basic": async () => {
      const c = await granted(m2m("client_secret_basic"));
      const post = await tokenRequest({
        ...CC,
        client_id: c.client_id,
        client_secret: c.client_secret,
      });
      expect(post).toEqual({ status: 401, body: UNAUTHORIZED });
      const basic = await tokenRequest(CC, { id: c.client_id, secret: c.client_secret });
      expect(basic.status).toBe(200);
    },
    "token.auth-method.none": async () => {
      const made = await api("POST", "/clients", {
        name: "rules public",
        app_type: "spa",
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "none",
        callbacks: ["http://localhost:5173/callback"],
      });
      const c = made.body as { client_id: string; client_secret: string };
      const code = {
        grant_type: "authorization_code",
        code: "not-a-code",
        redirect_uri: "http://localhost:5173/callback",
        client_id: c.client_id,
      };
      expect(await tokenRequest({ ...code, client_secret: c.client_secret })).toEqual({
        status: 401,
        body: UNAUTHORIZED,
      });
      // Without a secret the client is authenticated; the made-up code is what is refused.
      expect((await tokenRequest(code)).body.error).toBe("invalid_grant");
    },
    "token.auth-method.public-no-client-credentials": async () => {
      const refused = await api("POST", "/clients", { name: "rules public cc", ...m2m("none") });
      expect(expectAuth0Error(refused).statusCode).toBe(400);
      const made = await api("POST", "/clients", {
        name: "rules public",
        app_type: "spa",
        token_endpoint_auth_method: "none",
      });
      const c = made.body as { client_id: string; grant_types: string[] };
      expect(c.grant_types).not.toContain("client_credentials");
      const patched = await api("PATCH", `/clients/${c.client_id}`, {
        grant_types: ["authorization_code", "client_credentials"],
      });
      expect(expectAuth0Error(patched).statusCode).toBe(400);
      expect(await tokenRequest({ ...CC, client_id: c.client_id })).toEqual({
        status: 403,
        body: {
          error: "unauthorized_client",
          error_description: "Grant type 'client_credentials' not allowed for the client.",
        },
      });
    },
    "token.auth-method.one": async () => {
      const c = await granted(m2m("client_secret_basic"));
      const both = await tokenRequest(
        { ...CC, client_secret: c.client_secret },
        { id: c.client_id, secret: c.client_secret },
      );
      expect(both.status).toBe(400);
      expect(both.body.error).toBe("invalid_request");
    },
    "client-grants.scopes-of-api": async () => {
      const made = await api("POST", "/clients", {
        name: "rules grant scopes",
        ...m2m("client_secret_post"),
      });
      const clientId = (made.body as { client_id: string }).client_id;
      const grant = { client_id: clientId, audience: t.audience() };
      const refused = await api("POST", "/client-grants", {
        ...grant,
        scope: ["delete:everything"],
      });
      expect(expectAuth0Error(refused).statusCode).toBe(400);
      expect(expectAuth0Error(refused).message).toContain("delete:everything");
      const ok = await api("POST", "/client-grants", { ...grant, scope: ["read:examples"] });
      expect(ok.status).toBe(201);
      const id = (ok.body as { id: string }).id;
      // Auth0 takes them on PATCH (recorded: go-auth0 TestClientGrantManager_Update #3).
      const patched = await api("PATCH", `/client-grants/${id}`, {
        scope: ["read:examples", "nope"],
      });
      expect(patched.status).toBe(200);
      expect((patched.body as { scope: string[] }).scope).toEqual(["read:examples", "nope"]);
    },
    "entities.scopes-per-api": async () => {
      const scopes = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ value: `s:${i}`, description: "s" }));
      const identifier = `https://rules-scopes-${Date.now()}.example/`;
      const tooMany = await api("POST", "/resource-servers", { identifier, scopes: scopes(1001) });
      expect(expectAuth0Error(tooMany).statusCode).toBe(400);
      const made = await api("POST", "/resource-servers", { identifier, scopes: scopes(1000) });
      expect(made.status).toBe(201);
      const id = (made.body as { id: string }).id;
      const patched = await api("PATCH", `/resource-servers/${id}`, { scopes: scopes(1001) });
      expect(expectAuth0Error(patched).statusCode).toBe(400);
      await api("DELETE", `/resource-servers/${id}`);
    },
    "entities.plan": async () => {
      const env = t.env();
      const count = (
        (await api("GET", "/clients?per_page=100&include_totals=true")).body as {
          total: number;
        }
      ).total;
      expect(count).toBeGreaterThanOrEqual(10);
      env.control.setEntityPlan("sandbox", "free");
      try {
        const refused = await api("POST", "/clients", { name: "one too many" });
        expect(refused.status).toBe(403);
        expect(expectAuth0Error(refused).errorCode).toBe("entity_limit_reached");
        // Free allows 10 APIs besides the system ones.
        const all = (await api("GET", "/resource-servers?per_page=100")).body as {
          is_system?: boolean;
        }[];
        const room = 10 - all.filter((r) => !r.is_system).length;
        const apis: string[] = [];
        for (let i = 0; i < 10; i++) {
          const made = await api("POST", "/resource-servers", {
            identifier: `https://rules-plan-${i}-${Date.now()}.example/`,
          });
          if (made.status === 201) apis.push((made.body as { id: string }).id);
          else expect(expectAuth0Error(made).errorCode).toBe("entity_limit_reached");
        }
        expect(apis).toHaveLength(room);
        for (const id of apis) await api("DELETE", `/resource-servers/${id}`);
        env.control.setEntityPlan("sandbox", "self-service");
        if (count < 100) expect((await api("POST", "/clients", { name: "fits" })).status).toBe(201);
      } finally {
        env.control.setEntityPlan("sandbox", "unlimited");
      }
    },
    "users.metadata.field-names": async () => {
      const user = (metadata: Record<string, unknown>) =>
        api("POST", "/users", {
          connection: "Username-Password-Authentication",
          email: `meta-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
          password: "Meta-Pass-2026!",
          ...metadata,
        });
      expect(expectAuth0Error(await user({ app_metadata: { "team.id": "x" } })).statusCode).toBe(
        400,
      );
      expect(
        expectAuth0Error(await user({ user_metadata: { prefs: { $color: "pink" } } })).statusCode,
      ).toBe(400);
      const ok = await user({
        app_metadata: { teamId: "x" },
        user_metadata: { prefs: { color: "pink" } },
      });
      expect(ok.status).toBe(201);
      const id = (ok.body as { user_id: string }).user_id;
      const patched = await api("PATCH", `/users/${encodeURIComponent(id)}`, {
        app_metadata: { a$b: 1 },
      });
      expect(expectAuth0Error(patched).statusCode).toBe(400);
    },
    "prompts.read": async () => {
      const narrow = await managementToken(t.env(), "sandbox", ["read:clients"]);
      expect((await api("GET", "/prompts", undefined, narrow)).status).toBe(403);
      const reader = await managementToken(t.env(), "sandbox", ["read:prompts"]);
      const read = await api("GET", "/prompts", undefined, reader);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        universal_login_experience: expect.stringMatching(/^(new|classic)$/),
        identifier_first: expect.any(Boolean),
        webauthn_platform_first_factor: expect.any(Boolean),
      });
    },
    "prompts.update": async () => {
      const reader = await managementToken(t.env(), "sandbox", ["read:prompts"]);
      expect((await api("PATCH", "/prompts", { identifier_first: true }, reader)).status).toBe(403);
      for (const body of [
        {},
        { identifier_first: true, extra: 1 },
        { universal_login_experience: "modern" },
      ])
        expect(
          expectAuth0Error(await api("PATCH", "/prompts", body)).statusCode,
          JSON.stringify(body),
        ).toBe(400);
      const patched = await api("PATCH", "/prompts", { identifier_first: true });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        identifier_first: true,
        universal_login_experience: "new",
      });
      expect((await api("GET", "/prompts")).body).toMatchObject({ identifier_first: true });
    },
  };
}
