/**
 * Private Key JWT on the local tenants (rules-private-key-jwt.ts, one test per row): a client
 * made in one `POST /clients` with its public key obtains tokens with signed assertions; forged,
 * expired, replayed, wrong-audience and over-long assertions, expired keys and secrets are
 * refused; `client_authentication_methods` is checked as Auth0 documents it.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { ManagementClient } from "auth0";
import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededTenants, startSeededTenants } from "../test-support";
import { storedClientSecret } from "./helpers";

let env: SeededTenants;
let mgmt: ManagementClient;
let issuer: string;
let audience: string;

function rsa(bits = 2048) {
  return generateKeyPairSync("rsa", { modulusLength: bits });
}
const spki = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();

beforeAll(async () => {
  env = await startSeededTenants();
  const { domain, backend, exampleApi } = env.seed.sandbox;
  mgmt = new ManagementClient({
    domain,
    clientId: backend.clientId,
    clientSecret: backend.clientSecret,
  });
  issuer = env.tenants.sandbox.issuer;
  audience = exampleApi.identifier;
});
afterAll(() => env?.close());

/** A raw POST /clients with the Astral Backend's token (to see 400s as they come). */
async function createRaw(body: Record<string, unknown>) {
  const { backend } = env.seed.sandbox;
  const tokenRes = await fetch(`${env.tenants.sandbox.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: backend.clientId,
      client_secret: backend.clientSecret,
      audience: `${issuer}api/v2/`,
    }),
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${env.tenants.sandbox.baseUrl}/api/v2/clients`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
    body: JSON.stringify({
      name: "pkjwt",
      app_type: "non_interactive",
      jwt_configuration: { alg: "RS256" },
      ...body,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function keyPairClient(
  credential: Record<string, unknown> = {},
  pair = rsa(),
): Promise<{ clientId: string; privateKey: KeyObject; kid?: string }> {
  const made = await mgmt.clients.create({
    name: "key pair credential",
    app_type: "non_interactive",
    grant_types: ["client_credentials"],
    jwt_configuration: { alg: "RS256" },
    client_authentication_methods: {
      private_key_jwt: {
        credentials: [{ credential_type: "public_key", pem: spki(pair.publicKey), ...credential }],
      },
    },
  });
  const clientId = made.client_id as string;
  await mgmt.clientGrants.create({ client_id: clientId, audience, scope: ["read:examples"] });
  return { clientId, privateKey: pair.privateKey };
}

function assertion(
  clientId: string,
  key: KeyObject,
  {
    alg = "RS256",
    aud = issuer,
    lifetime = 60,
    jti = randomUUID(),
    kid,
    iat = Math.floor(Date.now() / 1000),
  }: {
    alg?: string;
    aud?: string | string[];
    lifetime?: number;
    jti?: string;
    kid?: string;
    iat?: number;
  } = {},
) {
  return new SignJWT({})
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .setJti(jti)
    .sign(key);
}

async function token(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${env.tenants.sandbox.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ grant_type: "client_credentials", audience, ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const withAssertion = (client_assertion: string, extra: Record<string, string> = {}) =>
  token({
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion,
    ...extra,
  });

describe("POST /clients with client_authentication_methods", () => {
  it("creates the client and its key in one call; reads show credential ids only (clients.auth-methods.read, .exclusive)", async () => {
    const { clientId } = await keyPairClient({ name: "first key" });
    const client = await mgmt.clients.get(clientId);
    expect(client.token_endpoint_auth_method).toBeUndefined();
    const ids = client.client_authentication_methods?.private_key_jwt?.credentials ?? [];
    expect(ids).toHaveLength(1);
    expect(Object.keys(ids[0] ?? {})).toEqual(["id"]);
    expect(JSON.stringify(client)).not.toContain("BEGIN PUBLIC KEY");
    const discovery = (await (
      await fetch(`${env.tenants.sandbox.baseUrl}/.well-known/openid-configuration`)
    ).json()) as Record<string, string[]>;
    expect(discovery.token_endpoint_auth_methods_supported).toContain("private_key_jwt");
  });

  it("refuses token_endpoint_auth_method beside it, a non-RS256 jwt alg, mTLS methods, 0 or 3 keys (exclusive, jwt-alg, private-key-jwt-only, count)", async () => {
    const cred = { credential_type: "public_key", pem: spki(rsa().publicKey) };
    const methods = { private_key_jwt: { credentials: [cred] } };
    const before = (await mgmt.clients.list({ per_page: 100 })).data.length;
    for (const body of [
      { client_authentication_methods: methods, token_endpoint_auth_method: "client_secret_post" },
      { client_authentication_methods: methods, jwt_configuration: { alg: "HS256" } },
      { client_authentication_methods: { tls_client_auth: { credentials: [] } } },
      { client_authentication_methods: { private_key_jwt: { credentials: [] } } },
      { client_authentication_methods: { private_key_jwt: { credentials: [cred, cred, cred] } } },
    ]) {
      const res = await createRaw(body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: "Bad Request" });
    }
    // Nothing half-made.
    expect((await mgmt.clients.list({ per_page: 100 })).data.length).toBe(before);
  });

  it("takes RSA 2048–4096 public keys only, never echoing a private key (clients.auth-methods.pem)", async () => {
    const pair = rsa();
    const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const asPrivate = await createRaw({
      client_authentication_methods: {
        private_key_jwt: { credentials: [{ credential_type: "public_key", pem: privatePem }] },
      },
    });
    expect(asPrivate.status).toBe(400);
    expect(String(asPrivate.body.message)).toMatch(/private key/);
    expect(JSON.stringify(asPrivate.body)).not.toContain(privatePem.split("\n")[1]);
    const small = await createRaw({
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [{ credential_type: "public_key", pem: spki(rsa(1024).publicKey) }],
        },
      },
    });
    expect(small.status).toBe(400);
    expect(String(small.body.message)).toMatch(/2048 to 4096 bits \(got 1024 bits\)/);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const notRsa = await createRaw({
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [{ credential_type: "public_key", pem: spki(ec.publicKey) }],
        },
      },
    });
    expect(notRsa.status).toBe(400);
    const pkcs1 = pair.publicKey.export({ type: "pkcs1", format: "pem" }).toString();
    const ok = await createRaw({
      client_authentication_methods: {
        private_key_jwt: { credentials: [{ credential_type: "public_key", pem: pkcs1 }] },
      },
    });
    expect(ok.status).toBe(201);
  });

  it("refuses a past expires_at and a malformed kid (clients.auth-methods.expiry, .kid)", async () => {
    const pem = spki(rsa().publicKey);
    for (const extra of [
      { expires_at: new Date(Date.now() - 1000).toISOString() },
      { kid: "short" },
      { alg: "ES256" },
    ]) {
      const res = await createRaw({
        client_authentication_methods: {
          private_key_jwt: { credentials: [{ credential_type: "public_key", pem, ...extra }] },
        },
      });
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
  });

  it("PATCH needs update:client_credentials for client_authentication_methods (clients.auth-methods.patch)", async () => {
    const { clientId } = await keyPairClient();
    await expect(
      mgmt.clients.update(clientId, {
        client_authentication_methods: { private_key_jwt: { credentials: [{ id: "cred_x" }] } },
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });
});

describe("client assertions at /oauth/token", () => {
  it("a signed assertion gets a token for the granted API, also with kid and PS256 (token.assertion.claims, .kid-alg)", async () => {
    const { clientId, privateKey } = await keyPairClient();
    const ok = await withAssertion(await assertion(clientId, privateKey));
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token as string)).toMatchObject({
      sub: `${clientId}@clients`,
      aud: audience,
      scope: "read:examples",
    });
    const ps = rsa();
    const kid = "astral-key-0001";
    const psClient = await keyPairClient({ alg: "PS256", kid }, ps);
    const withKid = await withAssertion(
      await assertion(psClient.clientId, ps.privateKey, { alg: "PS256", kid }),
      { client_id: psClient.clientId },
    );
    expect(withKid.status).toBe(200);
    const wrongAlg = await withAssertion(await assertion(psClient.clientId, ps.privateKey));
    expect(wrongAlg).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const otherKid = await withAssertion(
      await assertion(psClient.clientId, ps.privateKey, { alg: "PS256", kid: "another-kid-01" }),
    );
    expect(otherKid.status).toBe(401);
    const wrongClientId = await withAssertion(await assertion(clientId, privateKey), {
      client_id: psClient.clientId,
    });
    expect(wrongClientId.status).toBe(401);
  });

  it("refuses a forged assertion (signed by another key) (token.assertion.kid-alg)", async () => {
    const { clientId } = await keyPairClient();
    const forged = await withAssertion(await assertion(clientId, rsa().privateKey));
    expect(forged).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect(String(forged.body.error_description)).toMatch(/signature/);
  });

  it("refuses a wrong audience, including the token endpoint URL and arrays (token.assertion.aud)", async () => {
    const { clientId, privateKey } = await keyPairClient();
    for (const aud of [
      `${issuer}oauth/token`,
      [issuer], // an array, even holding the issuer (deprecated by Auth0)
      [issuer, `${issuer}oauth/token`],
      "https://elsewhere.example/",
      issuer.slice(0, -1),
    ]) {
      const res = await withAssertion(await assertion(clientId, privateKey, { aud }));
      expect(res, String(aud)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
      expect(String(res.body.error_description)).toMatch(/aud/);
    }
  });

  it("refuses an expired or over-long assertion, and one issued in the future (token.assertion.lifetime)", async () => {
    const { clientId, privateKey } = await keyPairClient();
    const now = Math.floor(Date.now() / 1000);
    const expired = await withAssertion(
      await assertion(clientId, privateKey, { iat: now - 120, lifetime: 60 }),
    );
    expect(expired).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect(String(expired.body.error_description)).toMatch(/expired/);
    const long = await withAssertion(await assertion(clientId, privateKey, { lifetime: 301 }));
    expect(long.status).toBe(401);
    expect(String(long.body.error_description)).toMatch(/300 seconds/);
    const future = await withAssertion(
      await assertion(clientId, privateKey, { iat: now + 60, lifetime: 60 }),
    );
    expect(future.status).toBe(401);
    const justUnder = await withAssertion(await assertion(clientId, privateKey, { lifetime: 300 }));
    expect(justUnder.status).toBe(200);
  });

  it("refuses a replayed assertion (token.assertion.jti-replay)", async () => {
    const { clientId, privateKey } = await keyPairClient();
    const once = await assertion(clientId, privateKey);
    expect((await withAssertion(once)).status).toBe(200);
    const again = await withAssertion(once);
    expect(again).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect(String(again.body.error_description)).toMatch(/already used/);
  });

  it("refuses a key past its expires_at (token.assertion.key-expiry)", async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const { clientId, privateKey } = await keyPairClient({ expires_at: expiresAt });
    expect((await withAssertion(await assertion(clientId, privateKey))).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 100));
    const late = await withAssertion(await assertion(clientId, privateKey));
    expect(late).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect(String(late.body.error_description)).toMatch(/expired/);
  });

  it("hides the client's secret and refuses it alone, another assertion type, and a secret beside the assertion (clients.auth-methods.secret-hidden, token.assertion.type, .one-method, .no-secret)", async () => {
    const made = await mgmt.clients.create({
      name: "pkjwt with secret",
      app_type: "non_interactive",
      grant_types: ["client_credentials"],
      jwt_configuration: { alg: "RS256" },
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [{ credential_type: "public_key", pem: spki(rsa().publicKey) }],
        },
      },
    });
    const clientId = made.client_id as string;
    await mgmt.clientGrants.create({ client_id: clientId, audience, scope: [] });
    // No answer shows a Private Key JWT client's secret (clients.auth-methods.secret-hidden);
    // the tenant keeps one, read here from its state.
    expect(made).not.toHaveProperty("client_secret");
    expect(await mgmt.clients.get(clientId)).not.toHaveProperty("client_secret");
    const secret = await storedClientSecret(env, "sandbox", clientId);
    const pair = rsa();
    const wrongType = await token({
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
      client_assertion: await assertion(clientId, pair.privateKey),
    });
    expect(wrongType).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const both = await withAssertion(await assertion(clientId, pair.privateKey), {
      client_secret: "x".repeat(20),
    });
    expect(both).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(secret).toBeTruthy();
    const bySecret = await token({ client_id: clientId, client_secret: secret });
    expect(bySecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });
});
