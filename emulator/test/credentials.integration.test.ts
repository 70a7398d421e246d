/**
 * Credentials made through the Management API really work: a client_credentials token for the
 * example API carries the granted scopes; after rotate-secret the old secret is refused; after
 * delete the client is refused. Each client authenticates the way it is registered for:
 * `client_secret_post` (the default here) or `client_secret_basic`.
 */
import { ManagementClient } from "auth0";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../test-support";

const ROTATION_MS = 300;
let env: SeededTenants;
let mgmt: ManagementClient;

beforeAll(async () => {
  env = await startSeededTenants({ rotationDelayMs: ROTATION_MS });
  const { domain, backend } = env.seed.production;
  mgmt = new ManagementClient({
    domain,
    clientId: backend.clientId,
    clientSecret: backend.clientSecret,
  });
});
afterAll(() => env?.close());

async function token(body: Record<string, string>, basic?: { id: string; secret: string }) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (basic) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString("base64")}`;
  }
  const res = await fetch(`${env.tenants.production.baseUrl}/oauth/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ grant_type: "client_credentials", ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("credentials issued through the Management API", () => {
  it("get tokens for the example API with exactly the granted scopes, and stop working when rotated or deleted", async () => {
    const audience = env.seed.production.exampleApi.identifier;
    const made = await mgmt.clients.create({
      name: "team credential",
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
    });
    const id = made.client_id as string;
    const secret = made.client_secret as string;
    await mgmt.clientGrants.create({ client_id: id, audience, scope: ["read:examples"] });

    const post = await token({ client_id: id, client_secret: secret, audience });
    expect(post.status).toBe(200);
    const claims = decodeJwt(post.body.access_token as string);
    expect(claims).toMatchObject({
      iss: env.tenants.production.issuer,
      sub: `${id}@clients`,
      aud: audience,
      azp: id,
      scope: "read:examples",
      gty: "client-credentials",
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(post.body.expires_in);
    expect(post.body.token_type).toBe("Bearer");

    // Registered for the body, so HTTP Basic is refused; switched to Basic, the body is.
    expect((await token({ audience }, { id, secret })).status).toBe(401);
    await mgmt.clients.update(id, { token_endpoint_auth_method: "client_secret_basic" });
    expect((await token({ audience }, { id, secret })).status).toBe(200);
    expect((await token({ client_id: id, client_secret: secret, audience })).status).toBe(401);
    await mgmt.clients.update(id, { token_endpoint_auth_method: "client_secret_post" });

    const elsewhere = await token({
      client_id: id,
      client_secret: secret,
      audience: `${env.tenants.production.issuer}api/v2/`,
    });
    expect(elsewhere).toMatchObject({ status: 403, body: { error: "access_denied" } });

    const rotated = await mgmt.clients.rotateSecret(id);
    // Rule clients.rotate.delay: the old secret is refused at once, the new one until the
    // rotation takes effect.
    expect((await token({ client_id: id, client_secret: secret, audience })).status).toBe(401);
    expect(
      (await token({ client_id: id, client_secret: rotated.client_secret as string, audience }))
        .status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, ROTATION_MS + 100));
    expect((await token({ client_id: id, client_secret: secret, audience })).status).toBe(401);
    expect(
      (await token({ client_id: id, client_secret: rotated.client_secret as string, audience }))
        .status,
    ).toBe(200);

    await mgmt.clients.delete(id);
    const gone = await token({
      client_id: id,
      client_secret: rotated.client_secret as string,
      audience,
    });
    expect(gone).toEqual({
      status: 401,
      body: { error: "access_denied", error_description: "Unauthorized" },
    });
  });

  it("refuses a client without the client_credentials grant type (a team record)", async () => {
    const team = await mgmt.clients.create({
      name: "team record",
      app_type: "non_interactive",
      grant_types: [],
    });
    const res = await token({
      client_id: team.client_id as string,
      client_secret: team.client_secret as string,
      audience: env.seed.production.exampleApi.identifier,
    });
    expect(res).toMatchObject({ status: 403, body: { error: "unauthorized_client" } });
  });
});
