/**
 * The sample API against real tokens from the local tenants: 200 for a valid Sandbox token with
 * the scope, 403 (insufficient_scope, naming it) without the scope, 401 for no token, a token
 * from the other tenant, a token for another API and a token signed with another key.
 */
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBootstrap } from "../emulator/src/index";
import { managementClient } from "../emulator/src/seed";
import { type SeededTenants, startSeededTenants } from "../emulator/test-support";
import { type SampleApi, startSampleApi } from "./server";

let env: SeededTenants;
let api: SampleApi;
let readToken: string;
let audience: string;

/** A new client with `scope` on `audience` in `tenant`, and a token from it. */
async function tokenFrom(tenant: "sandbox" | "production", aud: string, scope: string[]) {
  const domain = env.tenants[tenant].domain;
  const mgmt = managementClient(domain, readBootstrap(env.stateDir, tenant));
  const client = await mgmt.clients.create({
    name: `sample-api-${tenant}-${Date.now()}`,
    app_type: "non_interactive",
    grant_types: ["client_credentials"],
  });
  const { client_id, client_secret } = client as { client_id: string; client_secret: string };
  await mgmt.clientGrants.create({ client_id, audience: aud, scope });
  const response = await fetch(`https://${domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id,
      client_secret,
      audience: aud,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

const call = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });

beforeAll(async () => {
  env = await startSeededTenants({ searchLagMs: 0 });
  audience = env.seed.sandbox.exampleApi.identifier;
  api = await startSampleApi({ tenantDomain: env.tenants.sandbox.domain, audience });
  readToken = await tokenFrom("sandbox", audience, ["read:examples"]);
});

afterAll(async () => {
  await api?.close();
  await env?.close();
});

describe("sample API", () => {
  it("answers 200 to a Sandbox token with the operation's scope", async () => {
    const list = await call("/examples", readToken);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { examples: unknown[] }).examples.length).toBeGreaterThan(0);
    const one = await call("/examples/ex_1", readToken);
    expect(one.status).toBe(200);
    expect((await call("/examples/ex_999", readToken)).status).toBe(404);
  });

  it("answers 403 insufficient_scope, naming the scope, when the token lacks it", async () => {
    const response = await call("/examples", readToken, {
      method: "POST",
      body: JSON.stringify({ name: "x" }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain('scope="write:examples"');
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("creates with write:examples", async () => {
    const writer = await tokenFrom("sandbox", audience, ["write:examples"]);
    const response = await call("/examples", writer, {
      method: "POST",
      body: JSON.stringify({ name: "Made in a test" }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: "Made in a test" });
  });

  it("answers 401 with a reason to a missing, foreign or forged token", async () => {
    const none = await call("/examples");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain('error="invalid_token"');

    // Same audience, other tenant: signed with Production's keys, so refused before its issuer.
    const production = await tokenFrom("production", audience, ["read:examples"]);
    const fromProduction = await call("/examples", production);
    expect(fromProduction.status).toBe(401);
    expect(await fromProduction.json()).toMatchObject({
      error: "invalid_token",
      error_description: "The access token's signature does not match the Sandbox tenant's keys.",
    });

    // The Sandbox tenant's token for another API (its Management API): the audience check.
    const other = await tokenFrom("sandbox", `https://${env.tenants.sandbox.domain}/api/v2/`, [
      "read:clients",
    ]);
    const wrongAudience = await call("/examples", other);
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.json()).toMatchObject({
      error_description: "The access token is not for this API (wrong audience).",
    });

    // Right claims, wrong key: the signature check.
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ scope: "read:examples" })
      .setProtectedHeader({ alg: "RS256", kid: "forged" })
      .setIssuer(`https://${env.tenants.sandbox.domain}/`)
      .setAudience(audience)
      .setExpirationTime("5m")
      .sign(privateKey);
    const forgedResponse = await call("/examples", forged);
    expect(forgedResponse.status).toBe(401);
  });
});
